//! The web pages: `/` (upload a recording), `/practice` (choose a question,
//! record an answer in the browser, send it) and `/interviews/{id}` (follow
//! its analysis, then read the report), with their CSS and JavaScript under
//! `/assets/`. The pages are static shells that hold no data: their script
//! asks for the API key once (kept in `sessionStorage`) and calls the API
//! with it. Everything is compiled into the binary; nothing is loaded from
//! elsewhere.

use std::sync::{Arc, LazyLock};

use axum::extract::{Path, RawQuery};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use candor_db::limits;
use sha2::{Digest, Sha256};

use crate::auth::hex;
use crate::error::ApiError;
use crate::questions::QuestionBank;
use crate::state::AppState;

struct Asset {
    name: &'static str,
    content_type: &'static str,
    body: &'static str,
}

const ASSETS: [Asset; 6] = [
    Asset {
        name: "candor.css",
        content_type: "text/css; charset=utf-8",
        body: include_str!("../../assets/candor.css"),
    },
    Asset {
        name: "candor.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_str!("../../assets/candor.js"),
    },
    Asset {
        name: "upload.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_str!("../../assets/upload.js"),
    },
    Asset {
        name: "practice.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_str!("../../assets/practice.js"),
    },
    Asset {
        name: "status.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_str!("../../assets/status.js"),
    },
    Asset {
        name: "favicon.svg",
        content_type: "image/svg+xml",
        body: include_str!("../../assets/favicon.svg"),
    },
];

/// A hash of every asset: pages link `/assets/NAME?v=VERSION`, so that
/// assets can be cached for good and a new build is fetched at once.
static VERSION: LazyLock<String> = LazyLock::new(|| {
    let mut hash = Sha256::new();
    for asset in &ASSETS {
        hash.update(asset.body.as_bytes());
    }
    hex(&hash.finalize()[..8])
});

static UPLOAD_PAGE: LazyLock<String> = LazyLock::new(|| {
    let main = include_str!("../../assets/upload.html")
        .replace("{{question_max}}", &limits::QUESTION.to_string())
        .replace("{{candidate_ref_max}}", &limits::CANDIDATE_REF.to_string());
    page("Upload an interview", &main, "upload.js")
});

static STATUS_PAGE: LazyLock<String> = LazyLock::new(|| {
    page(
        "Interview analysis",
        include_str!("../../assets/status.html"),
        "status.js",
    )
});

/// The practice page, with the question bank inside it as JSON.
fn practice_page(questions: &QuestionBank) -> String {
    let main = include_str!("../../assets/practice.html")
        .replace("{{question_max}}", &limits::QUESTION.to_string())
        .replace("{{candidate_ref_max}}", &limits::CANDIDATE_REF.to_string())
        .replace("{{questions}}", &questions.to_script_json());
    page("Practise an answer", &main, "practice.js")
}

fn page(title: &str, main: &str, script: &str) -> String {
    include_str!("../../assets/layout.html")
        .replace("{{title}}", title)
        .replace("{{script}}", script)
        .replace("{{version}}", &VERSION)
        .replace("{{main}}", main)
}

/// What a page may load: its own origin only. Inline scripts and styles are
/// allowed because the report, written into the status page, carries its
/// own; `blob:` media is the practice page's playback of what it recorded,
/// `data:` the report's captions track.
pub(crate) const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; \
    script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; \
    img-src 'self' data:; media-src 'self' blob: data:; connect-src 'self'; \
    object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

pub(crate) fn router(questions: &QuestionBank) -> Router<AppState> {
    let practice: Arc<str> = practice_page(questions).into();
    Router::new()
        .route("/", get(|| async { html(&UPLOAD_PAGE) }))
        .route(
            "/practice",
            get(move || {
                let practice = practice.clone();
                async move { html(&practice) }
            }),
        )
        // Any id: the page's script asks the API, which answers 404 for an
        // interview that is not the caller's.
        .route("/interviews/{id}", get(|| async { html(&STATUS_PAGE) }))
        .route("/assets/{name}", get(asset))
        // Browsers ask for it on pages that name no icon, such as the
        // report written in place of the status page.
        .route("/favicon.ico", get(favicon))
}

async fn favicon() -> Response {
    asset(Path("favicon.svg".to_owned()), RawQuery(None)).await
}

/// An HTML page with the headers every page gets.
pub(crate) fn html(body: &str) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-cache"),
            (header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
            (header::REFERRER_POLICY, "no-referrer"),
        ],
        body.to_owned(),
    )
        .into_response()
}

async fn asset(Path(name): Path<String>, RawQuery(query): RawQuery) -> Response {
    let Some(asset) = ASSETS.iter().find(|asset| asset.name == name) else {
        return ApiError::NotFound("asset").into_response();
    };
    // Only a link with the current version may be cached for good.
    let current = query.is_some_and(|query| query == format!("v={}", *VERSION));
    let cache = if current {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    (
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, asset.content_type),
            (header::CACHE_CONTROL, cache),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        asset.body,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_link_versioned_assets_and_nothing_outside() {
        let practice = practice_page(&QuestionBank::default());
        for page in [&*UPLOAD_PAGE, &*STATUS_PAGE, &practice] {
            assert!(!page.contains("{{"), "an unfilled placeholder");
            assert!(page.contains(&format!("/assets/candor.js?v={}", *VERSION)));
            assert!(!page.contains("http://") && !page.contains("https://"));
            assert!(page.contains("<label for=\"api-key\">API key</label>"));
            assert!(page.contains("candor keys create"), "where keys come from");
        }
        for id in ["file", "question", "candidate_ref", "upload-bar"] {
            assert!(
                UPLOAD_PAGE.contains(&format!("<label for=\"{id}\">")),
                "{id}"
            );
        }
        assert!(UPLOAD_PAGE.contains("maxlength=\"4000\""));
        assert_eq!(VERSION.len(), 16);
    }

    #[test]
    fn every_asset_is_served_by_name() {
        let practice = practice_page(&QuestionBank::default());
        let unused: Vec<&str> = ASSETS
            .iter()
            .map(|asset| asset.name)
            .filter(|name| {
                name.ends_with(".js")
                    && *name != "candor.js"
                    && !UPLOAD_PAGE.contains(name)
                    && !STATUS_PAGE.contains(name)
                    && !practice.contains(name)
            })
            .collect();
        assert!(unused.is_empty(), "{unused:?}");
    }
}
