//! Interviews and their feedback. Every read a client can trigger takes the
//! tenant: another tenant's interview is indistinguishable from a missing
//! one.

use std::collections::HashMap;
use std::sync::LazyLock;

use sqlx::any::AnyRow;
use sqlx::AnyConnection;

use crate::media::{claim_for_interview, release_after_delete};
use crate::model::{
    now_ms, EpochMillis, Feedback, Interview, InterviewId, InterviewStatus, JobId, JobKind,
    NewInterview, Owner, PreviousTake,
};
use crate::queue::{insert_job, JobSpec};
use crate::row::RowExt;
use crate::{decode_all, Backend, Db, Result};

/// Longest page [`Db::list_interviews`] returns.
pub const MAX_LIST_LIMIT: u32 = 500;

const INTERVIEW_FIELDS: [&str; 16] = [
    "id",
    "tenant",
    "media_key",
    "media_size",
    "content_type",
    "question",
    "candidate_ref",
    "language",
    "callback_url",
    "file_name",
    "status",
    "progress",
    "error_code",
    "error_message",
    "created_at",
    "updated_at",
];

/// The interview columns, qualified with the table name so that the same
/// list works in joins.
static INTERVIEW_COLUMNS: LazyLock<String> = LazyLock::new(|| {
    INTERVIEW_FIELDS
        .iter()
        .map(|field| format!("interviews.{field}"))
        .collect::<Vec<_>>()
        .join(", ")
});

/// The feedback columns under names that cannot clash with the interview's.
const FEEDBACK_COLUMNS: &str = "feedback.interview_id AS feedback_interview_id, \
     feedback.report AS feedback_report, feedback.overall_score AS feedback_overall_score, \
     feedback.created_at AS feedback_created_at";

/// One interview by id (bound first), if it is `owner`'s.
fn owned_interview_sql(owner: &Owner) -> String {
    format!(
        "SELECT {} FROM interviews WHERE interviews.id = ? AND {}",
        *INTERVIEW_COLUMNS,
        owner.condition()
    )
}

fn interview_from_row(row: &AnyRow) -> Result<Interview> {
    Ok(Interview {
        id: InterviewId::from_stored(row.text("id")?),
        tenant: row.text("tenant")?,
        media_key: row.text("media_key")?,
        media_size: row.int("media_size")?,
        content_type: row.text("content_type")?,
        question: row.opt_text("question")?,
        candidate_ref: row.opt_text("candidate_ref")?,
        language: row.opt_text("language")?,
        callback_url: row.opt_text("callback_url")?,
        file_name: row.opt_text("file_name")?,
        status: row.word("status", InterviewStatus::parse)?,
        progress: row.real("progress")?,
        error_code: row.opt_text("error_code")?,
        error_message: row.opt_text("error_message")?,
        created_at: row.int("created_at")?,
        updated_at: row.int("updated_at")?,
    })
}

fn feedback_from_row(row: &AnyRow) -> Result<Feedback> {
    Ok(Feedback {
        interview_id: InterviewId::from_stored(row.text("feedback_interview_id")?),
        report: row.text("feedback_report")?,
        overall_score: row.opt_real("feedback_overall_score")?,
        created_at: row.int("feedback_created_at")?,
    })
}

impl Db {
    /// Stores a new interview and enqueues its analyze job in the same
    /// transaction: there is never an interview without its job. The media
    /// must be the tenant's (see [`crate::MediaOrigin`]); otherwise
    /// [`DbError::NotFound`](crate::DbError::NotFound).
    #[tracing::instrument(level = "debug", skip_all, fields(tenant = %new.tenant))]
    pub async fn create_interview(
        &self,
        new: NewInterview,
        spec: &JobSpec,
    ) -> Result<(Interview, JobId)> {
        new.validate()?;
        spec.validate()?;
        let now = now_ms();
        let interview = Interview {
            id: InterviewId::generate(),
            tenant: new.tenant,
            media_key: new.media_key,
            media_size: new.media_size,
            content_type: new.content_type,
            question: new.question,
            candidate_ref: new.candidate_ref,
            language: new.language,
            callback_url: new.callback_url,
            file_name: new.file_name,
            status: InterviewStatus::Pending,
            progress: 0.0,
            error_code: None,
            error_message: None,
            created_at: now,
            updated_at: now,
        };
        let mut tx = self.begin_write().await?;
        claim_for_interview(
            &mut tx,
            self.backend(),
            &interview.tenant,
            &interview.media_key,
            new.media_origin,
            now,
        )
        .await?;
        sqlx::query(
            "INSERT INTO interviews (id, tenant, media_key, media_size, content_type, question, \
             candidate_ref, language, callback_url, file_name, status, progress, created_at, \
             updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(interview.id.as_str())
        .bind(&interview.tenant)
        .bind(&interview.media_key)
        .bind(interview.media_size)
        .bind(&interview.content_type)
        .bind(&interview.question)
        .bind(&interview.candidate_ref)
        .bind(&interview.language)
        .bind(&interview.callback_url)
        .bind(&interview.file_name)
        .bind(interview.status.as_str())
        .bind(interview.progress)
        .bind(now)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        let job_id = insert_job(
            &mut tx,
            self.backend(),
            JobKind::Analyze,
            &interview.id,
            None,
            spec,
            now,
        )
        .await?;
        tx.commit().await?;
        tracing::debug!(interview_id = %interview.id, job_id = %job_id, "interview created");
        Ok((interview, job_id))
    }

    /// The owner's interview `id`; `None` if it does not exist or belongs
    /// to another tenant (or, for a candidate's owner, another candidate).
    pub async fn interview(
        &self,
        owner: impl Into<Owner>,
        id: &InterviewId,
    ) -> Result<Option<Interview>> {
        let owner = owner.into();
        let sql = owned_interview_sql(&owner);
        let row = owner
            .bind(sqlx::query(&sql).bind(id.as_str()))
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(interview_from_row).transpose()
    }

    /// Interview `id` whatever its tenant: for workers, which serve every
    /// tenant. Request handlers use [`Db::interview`].
    pub async fn interview_unscoped(&self, id: &InterviewId) -> Result<Option<Interview>> {
        let sql = format!(
            "SELECT {} FROM interviews WHERE interviews.id = ?",
            *INTERVIEW_COLUMNS
        );
        let row = sqlx::query(&sql)
            .bind(id.as_str())
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(interview_from_row).transpose()
    }

    /// The owner's newest interviews, optionally only one candidate's, at
    /// most `limit` (capped at [`MAX_LIST_LIMIT`]).
    pub async fn list_interviews(
        &self,
        owner: impl Into<Owner>,
        candidate_ref: Option<&str>,
        limit: u32,
    ) -> Result<Vec<Interview>> {
        let owner = owner.into();
        let limit = i64::from(limit.min(MAX_LIST_LIMIT));
        let candidate_filter = match candidate_ref {
            Some(_) => " AND interviews.candidate_ref = ?",
            None => "",
        };
        let sql = format!(
            "SELECT {} FROM interviews WHERE {}{candidate_filter} \
             ORDER BY interviews.created_at DESC, interviews.id DESC LIMIT ?",
            *INTERVIEW_COLUMNS,
            owner.condition()
        );
        let mut query = owner.bind(sqlx::query(&sql));
        if let Some(candidate_ref) = candidate_ref {
            query = query.bind(candidate_ref);
        }
        let rows = query.bind(limit).fetch_all(self.pool()).await?;
        decode_all(&rows, interview_from_row)
    }

    /// Deletes the owner's interview with its feedback and jobs. A worker
    /// running its job loses its fence and stops at its next heartbeat. The
    /// media's key comes back in [`DeletedInterview::media_to_delete`] when
    /// no other interview names the object, for the caller to delete it
    /// from the store.
    #[tracing::instrument(level = "debug", skip(self, owner), fields(interview_id = %id))]
    pub async fn delete_interview(
        &self,
        owner: impl Into<Owner>,
        id: &InterviewId,
    ) -> Result<Option<DeletedInterview>> {
        let owner = owner.into();
        let mut tx = self.begin_write().await?;
        let sql = owned_interview_sql(&owner);
        let Some(row) = owner
            .bind(sqlx::query(&sql).bind(id.as_str()))
            .fetch_optional(&mut *tx)
            .await?
        else {
            return Ok(None);
        };
        let interview = interview_from_row(&row)?;
        // Children first: the foreign keys do not cascade, so that deleting
        // an interview is always this explicit, reviewed path.
        for sql in [
            "DELETE FROM jobs WHERE interview_id = ?",
            "DELETE FROM feedback WHERE interview_id = ?",
            "DELETE FROM interviews WHERE id = ?",
        ] {
            sqlx::query(sql).bind(id.as_str()).execute(&mut *tx).await?;
        }
        let media_to_delete =
            release_after_delete(&mut tx, self.backend(), &interview.media_key).await?;
        tx.commit().await?;
        Ok(Some(DeletedInterview {
            interview,
            media_to_delete,
        }))
    }

    /// The feedback of the owner's interview `id`, once its analysis has
    /// completed.
    pub async fn feedback(
        &self,
        owner: impl Into<Owner>,
        id: &InterviewId,
    ) -> Result<Option<Feedback>> {
        let owner = owner.into();
        let sql = format!(
            "SELECT {FEEDBACK_COLUMNS} FROM feedback \
             JOIN interviews ON interviews.id = feedback.interview_id \
             WHERE feedback.interview_id = ? AND {}",
            owner.condition()
        );
        let row = owner
            .bind(sqlx::query(&sql).bind(id.as_str()))
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(feedback_from_row).transpose()
    }

    /// The overall scores of those of `ids` that are the owner's, completed
    /// and scored, by interview id.
    pub async fn overall_scores(
        &self,
        owner: impl Into<Owner>,
        ids: &[InterviewId],
    ) -> Result<HashMap<InterviewId, f64>> {
        let owner = owner.into();
        if ids.is_empty() {
            return Ok(HashMap::new());
        }
        let sql = format!(
            "SELECT feedback.interview_id, feedback.overall_score FROM feedback \
             JOIN interviews ON interviews.id = feedback.interview_id \
             WHERE {} AND feedback.overall_score IS NOT NULL \
             AND feedback.interview_id IN ({})",
            owner.condition(),
            vec!["?"; ids.len()].join(", ")
        );
        let mut query = owner.bind(sqlx::query(&sql));
        for id in ids {
            query = query.bind(id.as_str());
        }
        let rows = query.fetch_all(self.pool()).await?;
        rows.iter()
            .map(|row| {
                Ok((
                    InterviewId::from_stored(row.text("interview_id")?),
                    row.real("overall_score")?,
                ))
            })
            .collect()
    }

    /// The latest completed take before `of` by the same tenant and
    /// candidate, answering the same question when `of` has one. `None`
    /// when `of` has no candidate reference or there is no earlier take.
    pub async fn previous_take(&self, of: &Interview) -> Result<Option<PreviousTake>> {
        let Some(candidate_ref) = &of.candidate_ref else {
            return Ok(None);
        };
        let question_filter = match of.question {
            Some(_) => "AND interviews.question = ?",
            None => "",
        };
        // "Before" is (created_at, id) in order, so two takes created in the
        // same millisecond still have one before the other.
        let sql = format!(
            "SELECT {}, {FEEDBACK_COLUMNS} FROM interviews \
             JOIN feedback ON feedback.interview_id = interviews.id \
             WHERE interviews.tenant = ? AND interviews.candidate_ref = ? {question_filter} \
             AND interviews.status = 'completed' \
             AND (interviews.created_at < ? OR (interviews.created_at = ? AND interviews.id < ?)) \
             ORDER BY interviews.created_at DESC, interviews.id DESC LIMIT 1",
            *INTERVIEW_COLUMNS
        );
        let mut query = sqlx::query(&sql).bind(&of.tenant).bind(candidate_ref);
        if let Some(question) = &of.question {
            query = query.bind(question);
        }
        let row = query
            .bind(of.created_at)
            .bind(of.created_at)
            .bind(of.id.as_str())
            .fetch_optional(self.pool())
            .await?;
        row.map(|row| {
            Ok(PreviousTake {
                interview: interview_from_row(&row)?,
                feedback: feedback_from_row(&row)?,
            })
        })
        .transpose()
    }
}

/// What [`Db::delete_interview`] removed.
#[derive(Debug, Clone, PartialEq)]
pub struct DeletedInterview {
    pub interview: Interview,
    /// The object no interview names any more, now owned by no one: the
    /// caller deletes it from the store.
    pub media_to_delete: Option<String>,
}

/// What an interview's status becomes when its analyze job moves.
pub(crate) struct StatusChange<'a> {
    pub status: InterviewStatus,
    /// Set on failure; cleared by every other change.
    pub error: Option<(&'a str, &'a str)>,
    /// `None` keeps the current progress.
    pub progress: Option<f64>,
}

/// Mirrors an analyze job's move onto its interview, inside the caller's
/// transaction.
pub(crate) async fn set_interview_status(
    conn: &mut AnyConnection,
    id: &InterviewId,
    change: StatusChange<'_>,
    now: EpochMillis,
) -> Result<()> {
    let (code, message) = change.error.unzip();
    sqlx::query(
        "UPDATE interviews SET status = ?, error_code = ?, error_message = ?, \
         progress = COALESCE(?, progress), updated_at = ? WHERE id = ?",
    )
    .bind(change.status.as_str())
    .bind(code)
    .bind(message)
    .bind(change.progress)
    .bind(now)
    .bind(id.as_str())
    .execute(conn)
    .await?;
    Ok(())
}

/// `INSERT … ON CONFLICT` spelled for each backend: a second analysis of the
/// same interview replaces its feedback.
pub(crate) async fn upsert_feedback(
    conn: &mut AnyConnection,
    backend: Backend,
    id: &InterviewId,
    report_json: &str,
    overall_score: Option<f64>,
    now: EpochMillis,
) -> Result<()> {
    let on_conflict = match backend {
        Backend::Sqlite => {
            "ON CONFLICT (interview_id) DO UPDATE SET report = excluded.report, \
             overall_score = excluded.overall_score, created_at = excluded.created_at"
        }
        Backend::MySql => {
            "ON DUPLICATE KEY UPDATE report = VALUES(report), \
             overall_score = VALUES(overall_score), created_at = VALUES(created_at)"
        }
    };
    let sql = format!(
        "INSERT INTO feedback (interview_id, report, overall_score, created_at) \
         VALUES (?, ?, ?, ?) {on_conflict}"
    );
    sqlx::query(&sql)
        .bind(id.as_str())
        .bind(report_json)
        .bind(overall_score)
        .bind(now)
        .execute(conn)
        .await?;
    Ok(())
}
