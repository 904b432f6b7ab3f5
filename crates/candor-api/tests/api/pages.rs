//! The web pages and their assets: public, with the right types and cache
//! headers, and nothing loaded from elsewhere.

use reqwest::header::{CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE};

use crate::helpers::spawn_app;

#[tokio::test]
async fn pages_are_public_html_whose_assets_are_cached_by_version() {
    let app = spawn_app().await;
    let mut scripts = Vec::new();
    for path in ["/", "/interviews/0196f0c2-6a3f-7b52-9d1e-2f4c5a6b7c8d"] {
        let response = app.client.get(app.url(path)).send().await.unwrap();
        assert_eq!(response.status(), 200, "{path}");
        let headers = response.headers().clone();
        assert_eq!(headers[CONTENT_TYPE], "text/html; charset=utf-8");
        assert_eq!(headers[CACHE_CONTROL], "no-cache");
        let policy = headers[CONTENT_SECURITY_POLICY].to_str().unwrap();
        assert!(policy.starts_with("default-src 'self'"), "{policy}");
        let page = response.text().await.unwrap();
        assert!(page.contains("<label for=\"api-key\">API key</label>"));
        for link in page.split("src=\"").skip(1) {
            scripts.push(link.split('"').next().unwrap().to_owned());
        }
    }
    assert_eq!(scripts.len(), 4, "{scripts:?}");
    for script in &scripts {
        let response = app.client.get(app.url(script)).send().await.unwrap();
        assert_eq!(response.status(), 200, "{script}");
        assert_eq!(
            response.headers()[CONTENT_TYPE],
            "text/javascript; charset=utf-8"
        );
        assert_eq!(
            response.headers()[CACHE_CONTROL],
            "public, max-age=31536000, immutable"
        );
    }
    // Without the current version the asset must be revalidated.
    let css = app
        .client
        .get(app.url("/assets/candor.css?v=old"))
        .send()
        .await
        .unwrap();
    assert_eq!(css.headers()[CONTENT_TYPE], "text/css; charset=utf-8");
    assert_eq!(css.headers()[CACHE_CONTROL], "no-cache");
    let missing = app
        .client
        .get(app.url("/assets/nothing.js"))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
    // The icon, linked from every page and at the address browsers try.
    for path in ["/assets/favicon.svg", "/favicon.ico"] {
        let icon = app.client.get(app.url(path)).send().await.unwrap();
        assert_eq!(icon.status(), 200, "{path}");
        assert_eq!(icon.headers()[CONTENT_TYPE], "image/svg+xml", "{path}");
        assert!(icon.text().await.unwrap().starts_with("<svg"), "{path}");
    }
}
