//! `GET /api/v1/interviews/{id}/report`: the stored report as its HTML
//! page (candor-report's renderer), whose player plays the recording from
//! a signed media URL. The status page writes it in place of itself.

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use candor_db::Scope;
use candor_report::render::HtmlOptions;

use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody, KeyErrors};
use crate::routes::extract::Path;
use crate::routes::pages::CONTENT_SECURITY_POLICY;
use crate::state::AppState;

use super::media::unix_now;
use super::IdPath;

/// The feedback report as an HTML page, with a player on the recording
/// (a signed URL valid for about an hour). 409 (with the status) until the
/// interview has completed.
#[utoipa::path(get, path = "/api/v1/interviews/{id}/report", tag = "interviews",
    params(IdPath),
    responses(
        (status = 200, content_type = "text/html", body = String,
            description = "The report page: self-contained HTML"),
        (status = 400, body = ErrorBody,
            description = "`invalid_path`: the id is not text (e.g. bad percent-encoding)"),
        (status = 404, body = ErrorBody, description = "`not_found`"),
        (status = 409, body = ErrorBody, description = "`feedback_not_ready` (with the \
            interview's `status`), or `report_not_renderable` (its JSON is at /feedback)"),
        KeyErrors,
    ),
    security(("bearer" = []), ("api_key" = [])))]
pub(super) async fn report(
    State(state): State<AppState>,
    caller: Caller,
    Path(IdPath { id }): Path<IdPath>,
) -> Result<Response, ApiError> {
    caller.require(Scope::Read)?;
    let id = super::interview_id(&id)?;
    let feedback = super::stored_feedback(&state, &caller, &id).await?;
    let options = HtmlOptions {
        media_src: Some(state.media_urls.sign(&id, unix_now())),
    };
    // A long interview's page takes milliseconds to render: off the async
    // workers.
    let page = tokio::task::spawn_blocking(move || {
        candor_report::read_report(&feedback.report)
            .map(|report| candor_report::render::html(&report, &options))
    })
    .await
    .map_err(|error| ApiError::Internal(format!("rendering the report: {error}")))?
    .map_err(|error| ApiError::Conflict {
        code: "report_not_renderable",
        message: format!("{error}; its JSON is still at /feedback"),
    })?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            // Holds a signed URL and the candidate's words.
            (header::CACHE_CONTROL, "private, no-store"),
            (header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
            (header::REFERRER_POLICY, "no-referrer"),
        ],
        page,
    )
        .into_response())
}
