//! `POST /api/v1/interviews`: JSON naming media already in the store, or a
//! multipart upload streamed to the store after its first bytes are
//! recognized as media. A refused submission leaves nothing stored.

use axum::body::Body;
use axum::extract::multipart::Field;
use axum::extract::{FromRequest, Multipart, Request, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use bytes::Bytes;
use candor_db::{limits, DbError, InterviewId, JobId, MediaOrigin, NewInterview, Scope};
use candor_store::{ObjectKey, StoreError};
use futures::StreamExt;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody, KeyErrors};
use crate::routes::extract::json_object;
use crate::sniff::{sniff, MediaKind, SNIFF_LEN};
use crate::state::AppState;

use super::Links;

/// Largest JSON submission; the longest valid one is a few KiB.
const JSON_BODY_LIMIT: usize = 64 * 1024;
/// Room for the form's text fields and part headers on top of the file.
const FORM_OVERHEAD: u64 = 64 * 1024;
/// Longest text field of the form, in bytes (a question of
/// [`limits::QUESTION`] characters of up to 4 bytes each).
const MAX_TEXT_FIELD: usize = limits::QUESTION * 4;
/// Submit media already in object storage.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct SubmitByKey {
    /// The object's key, relative to the environment's prefix (or with it).
    /// It must name an object your tenant owns: the `media_key` of one of
    /// your earlier uploads, or an object the operator assigned to your
    /// tenant (`candor media assign`). Anything else is `media_not_found`.
    /// At most 512 bytes with the prefix, and each `/`-separated segment
    /// at most 255 bytes (a file name); no `.`/`..` or empty segments,
    /// backslashes or control characters (`invalid_media_key`).
    #[schema(min_length = 1, max_length = 512)]
    media_key: String,
    /// The interview question that was answered.
    #[schema(max_length = 4000)]
    question: Option<String>,
    /// Your reference for the candidate, to compare their takes.
    #[schema(max_length = 255)]
    candidate_ref: Option<String>,
    /// Spoken language, a tag such as `en` or `pt-BR`; omitted, it is
    /// detected.
    #[schema(max_length = 32, pattern = "^[A-Za-z0-9-]+$")]
    language: Option<String>,
    /// Where the outcome is POSTed: https (http only if the server allows).
    /// Needs a webhook secret (POST /api/v1/webhook-secrets).
    #[schema(max_length = 2048)]
    callback_url: Option<String>,
}

/// Upload the media with the request (`multipart/form-data`): one `file`
/// part, streamed to object storage, and the same text fields as the JSON
/// form.
#[derive(Debug, Default, ToSchema)]
pub(crate) struct SubmitUpload {
    /// The recording: MP4, MOV, M4A, WebM, MKV, MP3, WAV, Ogg or FLAC.
    #[schema(value_type = String, format = Binary)]
    file: Option<StoredMedia>,
    #[schema(max_length = 4000)]
    question: Option<String>,
    #[schema(max_length = 255)]
    candidate_ref: Option<String>,
    #[schema(max_length = 32, pattern = "^[A-Za-z0-9-]+$")]
    language: Option<String>,
    #[schema(max_length = 2048)]
    callback_url: Option<String>,
}

/// The optional fields of a submission, in either form.
#[derive(Debug, Default)]
struct Details {
    question: Option<String>,
    candidate_ref: Option<String>,
    language: Option<String>,
    callback_url: Option<String>,
}

/// An object the interview will analyze.
#[derive(Debug)]
struct StoredMedia {
    key: ObjectKey,
    size: u64,
    content_type: &'static str,
    /// The upload's file name as the client sent it, cleaned.
    file_name: Option<String>,
    origin: MediaOrigin,
}

/// The answer to a submission: the interview is queued.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct Submitted {
    #[schema(value_type = String)]
    id: InterviewId,
    #[schema(value_type = String)]
    status: candor_db::InterviewStatus,
    /// The analyze job (for the admin queue endpoints).
    #[schema(value_type = i64)]
    job_id: JobId,
    links: Links,
}

/// Submit an interview for analysis. Either JSON naming media already in
/// object storage, or a multipart upload whose `file` part is streamed to
/// storage (never buffered whole) after its first bytes are recognized as
/// a media container. The interview and its analyze job are created
/// together; workers start at once.
#[utoipa::path(post, path = "/api/v1/interviews", tag = "interviews",
    request_body(content(
        (SubmitByKey = "application/json"),
        (SubmitUpload = "multipart/form-data"),
    )),
    responses(
        (status = 202, body = Submitted, description = "Queued",
            headers(("Location" = String, description = "The interview's URL"))),
        (status = 400, body = ErrorBody, description = "`invalid_json`, `invalid_multipart`, \
            `missing_file`, `unknown_field`, `duplicate_field`, `invalid_field`, \
            `invalid_callback_url`, `webhook_secret_missing`, `invalid_media_key`, \
            `media_not_found` (no object of your tenant under media_key), `upload_failed`"),
        (status = 413, body = ErrorBody,
            description = "`payload_too_large`: over the upload (or JSON) size limit"),
        (status = 415, body = ErrorBody, description = "`unsupported_media_type`: neither \
            JSON nor multipart, or a file that is not a recognized recording"),
        KeyErrors,
    ),
    security(("bearer" = []), ("api_key" = [])))]
pub(super) async fn submit(
    State(state): State<AppState>,
    caller: Caller,
    request: Request,
) -> Result<Response, ApiError> {
    caller.require(Scope::Submit)?;
    let content_type = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_ascii_lowercase();
    let submitted = if content_type.starts_with("application/json") {
        if caller.candidate().is_some() {
            return Err(ApiError::NotForPracticeLink(
                "submit a stored object; upload the recording",
            ));
        }
        submit_by_key(&state, &caller, request).await?
    } else if content_type.starts_with("multipart/form-data") {
        submit_upload(&state, &caller, request).await?
    } else {
        return Err(ApiError::UnsupportedMediaType(
            "send application/json or multipart/form-data".into(),
        ));
    };
    let location = submitted.links.this.clone();
    Ok((
        StatusCode::ACCEPTED,
        [(header::LOCATION, location)],
        Json(submitted),
    )
        .into_response())
}

async fn submit_by_key(
    state: &AppState,
    caller: &Caller,
    request: Request,
) -> Result<Submitted, ApiError> {
    let body = axum::body::to_bytes(request.into_body(), JSON_BODY_LIMIT)
        .await
        .map_err(|_| ApiError::TooLarge {
            max_bytes: JSON_BODY_LIMIT as u64,
        })?;
    let form: SubmitByKey = json_object(&body)?;
    let details = Details {
        question: form.question,
        candidate_ref: form.candidate_ref,
        language: form.language,
        callback_url: form.callback_url,
    };
    details.validate(state.config.allow_http_callbacks)?;
    let key = state.store.key(&form.media_key)?;
    // Ownership is the database's record, checked before the store is
    // asked anything: an object of another tenant, or of none, is
    // indistinguishable from a missing one.
    let owned = state.db.media_owner(key.as_str()).await?.as_deref() == Some(caller.tenant());
    let size = if owned {
        state.store.head(&key).await?
    } else {
        None
    }
    .ok_or_else(media_not_found)?;
    let content_type = MediaKind::from_key(key.as_str())
        .map_or("application/octet-stream", |kind| kind.content_type);
    let media = StoredMedia {
        key,
        size,
        content_type,
        file_name: None,
        origin: MediaOrigin::Owned,
    };
    create(state, caller, media, details).await
}

fn media_not_found() -> ApiError {
    ApiError::bad_request(
        "media_not_found",
        "your tenant has no object under media_key: name one you uploaded, or ask the \
         operator to assign it to your tenant",
    )
}

async fn submit_upload(
    state: &AppState,
    caller: &Caller,
    request: Request,
) -> Result<Submitted, ApiError> {
    let max_bytes = state.config.max_upload_bytes;
    let (parts, body) = request.into_parts();
    let limit = usize::try_from(max_bytes.saturating_add(FORM_OVERHEAD)).unwrap_or(usize::MAX);
    let body = Body::new(http_body_util::Limited::new(body, limit));
    let multipart = Multipart::from_request(Request::from_parts(parts, body), state)
        .await
        .map_err(|rejection| ApiError::bad_request("invalid_multipart", rejection.body_text()))?;
    let mut form = SubmitUpload::default();
    let outcome = match read_form(state, caller, multipart, &mut form).await {
        Ok(()) => match form.file.take() {
            Some(media) => {
                let details = Details {
                    question: form.question,
                    candidate_ref: form.candidate_ref,
                    language: form.language,
                    callback_url: form.callback_url,
                };
                let key = media.key.clone();
                create_or_discard(state, caller, media, details)
                    .await
                    .map_err(|error| (error, Some(key)))
            }
            None => Err((
                ApiError::bad_request("missing_file", "the form has no file part"),
                None,
            )),
        },
        Err(error) => Err((error, form.file.map(|media| media.key))),
    };
    match outcome {
        Ok(submitted) => Ok(submitted),
        Err((error, stored)) => {
            if let Some(key) = stored {
                discard(state, &key).await;
            }
            Err(error)
        }
    }
}

async fn create_or_discard(
    state: &AppState,
    caller: &Caller,
    media: StoredMedia,
    details: Details,
) -> Result<Submitted, ApiError> {
    details.validate(state.config.allow_http_callbacks)?;
    create(state, caller, media, details).await
}

/// Removes an upload whose submission failed, so that a refused request
/// leaves nothing behind.
async fn discard(state: &AppState, key: &ObjectKey) {
    if let Err(error) = state.store.delete(key).await {
        tracing::error!(%error, key = %key, "an upload of a failed submission could not be deleted");
    }
}

/// Reads the form's parts in order, streaming the file to the store when
/// it comes; a file already stored is left in `form` for the caller to
/// discard if anything fails.
async fn read_form(
    state: &AppState,
    caller: &Caller,
    mut multipart: Multipart,
    form: &mut SubmitUpload,
) -> Result<(), ApiError> {
    let max_bytes = state.config.max_upload_bytes;
    let multipart_error = |error| ApiError::from_multipart(error, max_bytes);
    while let Some(field) = multipart.next_field().await.map_err(multipart_error)? {
        let name = field.name().unwrap_or_default().to_owned();
        let slot = match name.as_str() {
            "file" => {
                if form.file.is_some() {
                    return Err(duplicate(&name));
                }
                form.file = Some(store_upload(state, caller.tenant(), field).await?);
                continue;
            }
            "question" => &mut form.question,
            "candidate_ref" => &mut form.candidate_ref,
            "language" => &mut form.language,
            "callback_url" => &mut form.callback_url,
            _ => {
                return Err(ApiError::bad_request(
                    "unknown_field",
                    format!("the form has an unknown part {name:?}"),
                ))
            }
        };
        if slot.is_some() {
            return Err(duplicate(&name));
        }
        *slot = Some(read_text(field, &name, max_bytes).await?);
    }
    Ok(())
}

fn duplicate(name: &str) -> ApiError {
    ApiError::bad_request(
        "duplicate_field",
        format!("the form has more than one {name:?} part"),
    )
}

async fn read_text(mut field: Field<'_>, name: &str, max_bytes: u64) -> Result<String, ApiError> {
    let mut text = Vec::new();
    while let Some(chunk) = field
        .chunk()
        .await
        .map_err(|error| ApiError::from_multipart(error, max_bytes))?
    {
        if text.len() + chunk.len() > MAX_TEXT_FIELD {
            return Err(ApiError::bad_request(
                "invalid_field",
                format!("{name} is longer than {MAX_TEXT_FIELD} bytes"),
            ));
        }
        text.extend_from_slice(&chunk);
    }
    String::from_utf8(text)
        .map_err(|_| ApiError::bad_request("invalid_field", format!("{name} is not UTF-8")))
}

/// Sniffs the first bytes, then streams the part to
/// `interviews/<tenant>/<uuid>.<ext>` under the size limit. A refusal
/// stores nothing.
async fn store_upload(
    state: &AppState,
    tenant: &str,
    mut field: Field<'_>,
) -> Result<StoredMedia, ApiError> {
    let file_name = field.file_name().and_then(clean_file_name);
    let max_bytes = state.config.max_upload_bytes;
    let mut head: Vec<Bytes> = Vec::new();
    let mut head_len = 0;
    while head_len < SNIFF_LEN {
        match field
            .chunk()
            .await
            .map_err(|error| ApiError::from_multipart(error, max_bytes))?
        {
            Some(chunk) => {
                head_len += chunk.len();
                head.push(chunk);
            }
            None => break,
        }
    }
    let first_bytes: Vec<u8> = head.iter().flatten().take(SNIFF_LEN).copied().collect();
    let kind = sniff(&first_bytes).ok_or_else(|| {
        ApiError::UnsupportedMediaType(
            "the file is not a recognized recording (MP4, MOV, M4A, WebM, MKV, MP3, WAV, Ogg, FLAC)"
                .into(),
        )
    })?;
    let name = format!(
        "interviews/{tenant}/{}.{}",
        uuid::Uuid::new_v4(),
        kind.extension
    );
    // The tenant comes from our own key table: a key it cannot form is ours
    // to fix, not the client's.
    let key = state
        .store
        .key(&name)
        .map_err(|error| ApiError::Internal(error.to_string()))?;
    let body = futures::stream::iter(head.into_iter().map(Ok)).chain(field);
    let size = state
        .store
        .put_stream(&key, body, max_bytes)
        .await
        .map_err(|error| upload_error(error, max_bytes))?;
    tracing::debug!(key = %key, size, "upload stored");
    Ok(StoredMedia {
        key,
        size,
        content_type: kind.content_type,
        file_name,
        origin: MediaOrigin::Uploaded,
    })
}

/// The last path component of a client's file name, without control
/// characters, cut to the column's length; none when nothing is left.
fn clean_file_name(raw: &str) -> Option<String> {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or(raw);
    let clean: String = base
        .chars()
        .filter(|c| !c.is_control())
        .take(limits::FILE_NAME)
        .collect();
    let clean = clean.trim();
    (!clean.is_empty()).then(|| clean.to_string())
}

/// A failed upload; a failure of the multipart body (too large, cut off)
/// is reported as such.
fn upload_error(error: StoreError, max_bytes: u64) -> ApiError {
    match error {
        StoreError::Body { source, .. } => match source.downcast() {
            Ok(multipart) => ApiError::from_multipart(*multipart, max_bytes),
            Err(_) => ApiError::bad_request("upload_failed", "the upload body could not be read"),
        },
        other => other.into(),
    }
}

/// Stores the interview and its job in one transaction, then wakes the
/// workers.
async fn create(
    state: &AppState,
    caller: &Caller,
    media: StoredMedia,
    details: Details,
) -> Result<Submitted, ApiError> {
    // A practice link submits for its own candidate, and has no say in
    // where the tenant's webhooks go.
    let candidate_ref = match (caller.candidate(), details.candidate_ref) {
        (Some(own), Some(asked)) if asked != own => {
            return Err(ApiError::NotForPracticeLink("submit for another candidate"))
        }
        (Some(own), _) => Some(own.to_owned()),
        (None, asked) => asked,
    };
    if caller.candidate().is_some() && details.callback_url.is_some() {
        return Err(ApiError::NotForPracticeLink("set a callback_url"));
    }
    let new = NewInterview {
        tenant: caller.tenant().to_owned(),
        media_key: media.key.as_str().to_owned(),
        media_origin: media.origin,
        media_size: i64::try_from(media.size).unwrap_or(i64::MAX),
        content_type: media.content_type.to_owned(),
        question: details.question,
        candidate_ref,
        language: details.language,
        callback_url: details.callback_url,
        file_name: media.file_name,
    };
    if new.callback_url.is_some() && state.db.webhook_secrets(caller.tenant()).await?.is_empty() {
        return Err(ApiError::bad_request(
            "webhook_secret_missing",
            "your tenant has no webhook signing secret yet: create one with \
             POST /api/v1/webhook-secrets, then submit with callback_url",
        ));
    }
    let (interview, job_id) = state
        .db
        .create_interview(new, &state.config.job)
        .await
        .map_err(|error| match error {
            // The object was deleted or reassigned since it was checked.
            DbError::NotFound(_) => media_not_found(),
            other => other.into(),
        })?;
    state.wake_workers();
    tracing::Span::current().record("interview_id", interview.id.as_str());
    tracing::info!(interview_id = %interview.id, %job_id, media_size = media.size, "interview submitted");
    Ok(Submitted {
        links: Links::of(&interview.id),
        id: interview.id,
        status: interview.status,
        job_id,
    })
}

impl Details {
    fn validate(&self, allow_http_callbacks: bool) -> Result<(), ApiError> {
        let lengths = [
            ("question", &self.question, limits::QUESTION),
            ("candidate_ref", &self.candidate_ref, limits::CANDIDATE_REF),
            ("language", &self.language, limits::LANGUAGE),
        ];
        for (field, value, max) in lengths {
            if value
                .as_ref()
                .is_some_and(|value| value.chars().count() > max)
            {
                return Err(ApiError::bad_request(
                    "invalid_field",
                    format!("{field} is longer than {max} characters"),
                ));
            }
        }
        if let Some(language) = &self.language {
            let well_formed = !language.is_empty()
                && language
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-');
            if !well_formed {
                return Err(ApiError::bad_request(
                    "invalid_field",
                    "language must be a language tag such as en or pt-BR",
                ));
            }
        }
        if let Some(url) = &self.callback_url {
            check_callback_url(url, allow_http_callbacks)?;
        }
        Ok(())
    }
}

/// A callback URL must parse, be https (or http when allowed) and fit the
/// column. Whether its host is private is checked at delivery, when the
/// name is resolved, not here.
fn check_callback_url(url: &str, allow_http: bool) -> Result<(), ApiError> {
    let invalid = |reason: &str| {
        ApiError::bad_request("invalid_callback_url", format!("callback_url {reason}"))
    };
    if url.chars().count() > limits::CALLBACK_URL {
        return Err(invalid(&format!(
            "is longer than {} characters",
            limits::CALLBACK_URL
        )));
    }
    let parsed =
        url::Url::parse(url).map_err(|error| invalid(&format!("is not a URL ({error})")))?;
    match parsed.scheme() {
        "https" => {}
        "http" if allow_http => {}
        "http" => return Err(invalid("must use https")),
        _ => return Err(invalid("must be an https URL")),
    }
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err(invalid("has no host"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_file_names_keep_only_their_last_component_and_printable_text() {
        assert_eq!(clean_file_name("take 2.mp4").as_deref(), Some("take 2.mp4"));
        assert_eq!(
            clean_file_name("C:\\Users\\me\\a.mov").as_deref(),
            Some("a.mov")
        );
        assert_eq!(
            clean_file_name("../../etc/passwd").as_deref(),
            Some("passwd")
        );
        assert_eq!(
            clean_file_name("a\u{0}b\nc.wav").as_deref(),
            Some("abc.wav")
        );
        assert_eq!(clean_file_name(" / "), None);
        assert_eq!(
            clean_file_name(&"é".repeat(300)).unwrap().chars().count(),
            255
        );
    }

    #[test]
    fn callback_urls_must_be_https_unless_http_is_allowed() {
        assert!(check_callback_url("https://hooks.example.com/candor", false).is_ok());
        assert!(check_callback_url("http://hooks.example.com/candor", true).is_ok());
        for (url, allow_http) in [
            ("http://hooks.example.com/candor", false),
            ("ftp://hooks.example.com/", true),
            ("not a url", true),
            ("https://", false),
            ("file:///etc/passwd", true),
        ] {
            let error = check_callback_url(url, allow_http).unwrap_err();
            assert_eq!(error.code(), "invalid_callback_url", "{url}");
        }
        let long = format!("https://example.com/{}", "a".repeat(limits::CALLBACK_URL));
        assert!(check_callback_url(&long, false).is_err());
    }

    #[test]
    fn languages_are_tags() {
        let details = |language: &str| Details {
            language: Some(language.to_owned()),
            ..Details::default()
        };
        assert!(details("en").validate(false).is_ok());
        assert!(details("pt-BR").validate(false).is_ok());
        assert!(details("").validate(false).is_err());
        assert!(details("en; DROP").validate(false).is_err());
    }
}
