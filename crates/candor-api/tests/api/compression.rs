//! Compressed responses: text is sent compressed to a client that accepts
//! it, and the recording never is.

use std::io::Read;

use candor_db::Scope;
use reqwest::header::{ACCEPT_ENCODING, CONTENT_ENCODING, CONTENT_RANGE, RANGE, VARY};

use crate::helpers::spawn_app;
use crate::media::uploaded;

fn gunzip(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_end(&mut out)
        .unwrap();
    out
}

#[tokio::test]
async fn pages_scripts_and_json_are_compressed_for_a_client_that_accepts_it() {
    let app = spawn_app().await;
    let get = |path: &str, accept: &'static str| {
        app.client
            .get(app.url(path))
            .header(ACCEPT_ENCODING, accept)
            .send()
    };
    for path in ["/", "/openapi.json", "/assets/candor.js"] {
        let plain = get(path, "identity").await.unwrap();
        assert!(plain.headers().get(CONTENT_ENCODING).is_none(), "{path}");
        let plain = plain.bytes().await.unwrap();

        let gzip = get(path, "gzip").await.unwrap();
        assert_eq!(gzip.status(), 200, "{path}");
        assert_eq!(gzip.headers()[CONTENT_ENCODING], "gzip", "{path}");
        let vary = gzip.headers()[VARY].to_str().unwrap().to_owned();
        assert!(vary.contains("accept-encoding"), "{vary}");
        let compressed = gzip.bytes().await.unwrap();
        assert!(
            compressed.len() < plain.len() / 2,
            "{path}: {} of {}",
            compressed.len(),
            plain.len()
        );
        assert_eq!(gunzip(&compressed), plain, "{path}");

        let brotli = get(path, "br;q=1, gzip;q=0.5").await.unwrap();
        assert_eq!(brotli.headers()[CONTENT_ENCODING], "br", "{path}");
    }
}

#[tokio::test]
async fn the_recording_is_sent_as_stored_whatever_the_client_accepts() {
    let app = spawn_app().await;
    let key = app.key("acme", &[Scope::Submit, Scope::Read]).await;
    let (_, url, bytes) = uploaded(&app, &key).await;
    let url = app.url(&url);
    let whole = app
        .client
        .get(&url)
        .header(ACCEPT_ENCODING, "br, gzip")
        .send()
        .await
        .unwrap();
    assert!(whole.headers().get(CONTENT_ENCODING).is_none());
    assert_eq!(whole.bytes().await.unwrap(), bytes);
    let part = app
        .client
        .get(&url)
        .header(ACCEPT_ENCODING, "gzip")
        .header(RANGE, "bytes=100-199")
        .send()
        .await
        .unwrap();
    assert_eq!(part.status(), 206);
    assert_eq!(
        part.headers()[CONTENT_RANGE],
        format!("bytes 100-199/{}", bytes.len()).as_str()
    );
    assert!(part.headers().get(CONTENT_ENCODING).is_none());
    assert_eq!(part.bytes().await.unwrap(), &bytes[100..200]);
}
