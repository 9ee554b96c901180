//! Survey answers on SQLite are written in batches.
//!
//! SQLite has one writer, and sqlx's driver runs each statement on the connection's own
//! thread, handing every result back to the async task. A submission written alone held that
//! writer for seven hand-offs (begin, response, answers, invitation, complaint, its first
//! event, commit), each waiting its turn on the cores, which capped answers at about 560 a
//! second on two cores. Here one task takes every submission waiting and writes them in one
//! transaction of at most eight statements, however many there are: each table's rows go in
//! as one JSON array that SQLite's `json_each` expands (so each statement has one text and
//! is prepared once). Each submitter hears its own outcome once its client's decline signal
//! has been refreshed, as on the plain path. If a batch fails, each of its submissions is
//! tried alone, so one bad submission never costs the others theirs.
//!
//! PostgreSQL takes writes side by side and keeps the plain path (`respond::write_alone`).
use super::model::Answer;
use super::repo::{NewResponse, client_kind_as_recorded};
use super::respond::{RAISED, SurveyComplaint};
use crate::feedback::complaints::targets::{Target, due_times_in};
use crate::server::db::{Db, Tx};
use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{Value, json};
use std::collections::HashSet;
use tokio::sync::{mpsc, oneshot};

/// The most submissions one transaction takes.
const MOST_AT_ONCE: usize = 256;
/// Submissions waiting beyond this many make the next submitter wait for room.
const MOST_WAITING: usize = 4096;

/// A checked submission and everything it writes.
pub struct Submission {
    pub response: NewResponse<'static>,
    pub answers: Vec<Answer>,
    /// When it was submitted.
    pub at: DateTime<Utc>,
    /// The complaint its poor answers open.
    pub complaint: Option<SurveyComplaint>,
    /// The client whose decline signal the answers may change.
    pub refresh: Option<i64>,
}

/// The response's id, or `None` when its link had been answered already (the first answer
/// counts, and nothing is written).
type Outcome = Result<Option<i64>, sqlx::Error>;

struct Waiting {
    submission: Submission,
    reply: oneshot::Sender<Outcome>,
}

/// Hands submissions to the task that writes them.
#[derive(Clone)]
pub struct Writer(mpsc::Sender<Waiting>);

impl Writer {
    /// The writer of a SQLite database; `None` for PostgreSQL.
    pub fn for_db(db: &Db) -> Option<Writer> {
        if !matches!(db, Db::Sqlite { .. }) {
            return None;
        }
        let (sender, receiver) = mpsc::channel(MOST_WAITING);
        tokio::spawn(run(db.clone(), receiver));
        Some(Writer(sender))
    }

    /// Writes `submission` with the others waiting.
    pub async fn write(&self, submission: Submission) -> Outcome {
        let (reply, outcome) = oneshot::channel();
        // Both fail only when the task has ended, i.e. the server is shutting down.
        self.0
            .send(Waiting { submission, reply })
            .await
            .map_err(|_| sqlx::Error::PoolClosed)?;
        outcome.await.map_err(|_| sqlx::Error::PoolClosed)?
    }
}

/// Takes whatever is waiting, up to `MOST_AT_ONCE`, and writes it; ends when every `Writer`
/// is gone.
async fn run(db: Db, mut receiver: mpsc::Receiver<Waiting>) {
    let mut batch = Vec::with_capacity(MOST_AT_ONCE);
    while receiver.recv_many(&mut batch, MOST_AT_ONCE).await > 0 {
        write_and_reply(&db, std::mem::take(&mut batch)).await;
    }
}

async fn write_and_reply(db: &Db, batch: Vec<Waiting>) {
    let submissions: Vec<&Submission> = batch.iter().map(|w| &w.submission).collect();
    match write_batch(db, &submissions).await {
        Ok(ids) => {
            let outcomes = ids.into_iter().map(Ok).collect();
            reply_after_refresh(db, batch, outcomes);
        }
        Err(error) if batch.len() > 1 => {
            tracing::warn!(%error, size = batch.len(), "a batch of survey answers failed; writing each alone");
            for waiting in batch {
                let outcome = write_batch(db, &[&waiting.submission])
                    .await
                    .map(|ids| ids.into_iter().next().flatten());
                reply_after_refresh(db, vec![waiting], vec![outcome]);
            }
        }
        Err(error) => reply_after_refresh(db, batch, vec![Err(error)]),
    }
}

/// Refreshes the decline signals the recorded answers may change, then tells each
/// submitter; in a task of its own, so the next batch need not wait for the reads.
fn reply_after_refresh(db: &Db, batch: Vec<Waiting>, outcomes: Vec<Outcome>) {
    let mut clients: Vec<i64> = batch
        .iter()
        .zip(&outcomes)
        .filter(|(_, outcome)| matches!(outcome, Ok(Some(_))))
        .filter_map(|(w, _)| w.submission.refresh)
        .collect();
    clients.sort_unstable();
    clients.dedup();
    let latest = batch.iter().map(|w| w.submission.at).max();
    let db = db.clone();
    tokio::spawn(async move {
        if let Some(now) = latest {
            crate::pipeline::lifecycle::warning::refresh_many_quietly(&db, now, &clients).await;
        }
        for (waiting, outcome) in batch.into_iter().zip(outcomes) {
            // A submitter that has gone (the connection closed) needs no answer.
            let _ = waiting.reply.send(outcome);
        }
    });
}

/// Writes `batch` in one transaction: the response ids, in order, `None` for a link
/// answered already (before, or earlier in the same batch).
async fn write_batch(db: &Db, batch: &[&Submission]) -> Result<Vec<Option<i64>>, sqlx::Error> {
    let mut tx = db.begin().await?;
    let invitations: Vec<i64> = batch.iter().filter_map(|s| s.response.invitation).collect();
    let mut start = starting_point(&mut tx, &invitations).await?;
    let mut rows = Rows::default();
    let mut answered = std::mem::take(&mut start.answered);
    let (mut response, mut complaint) = (start.last_response, start.last_complaint);
    let mut ids = Vec::with_capacity(batch.len());
    for s in batch {
        if s.response.invitation.is_some_and(|i| !answered.insert(i)) {
            ids.push(None);
            continue;
        }
        response += 1;
        rows.add_response(s, response);
        if let Some(c) = &s.complaint {
            complaint += 1;
            let due = due_times_in(&start.targets, c.severity, s.at);
            rows.add_complaint(s, c, due, response, complaint);
        }
        ids.push(Some(response));
    }
    rows.write(&mut tx).await?;
    tx.commit().await?;
    Ok(ids)
}

/// A time as sqlx writes it to SQLite (RFC 3339, fractions as needed, `+00:00`), so that
/// times written here compare and sort with those bound as parameters.
fn sqlite_time(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::AutoSi, false)
}

/// The rows of a batch, table by table, as JSON arrays.
#[derive(Default)]
struct Rows {
    responses: Vec<Value>,
    answers: Vec<Value>,
    invitations: Vec<Value>,
    complaints: Vec<Value>,
    events: Vec<Value>,
}

impl Rows {
    fn add_response(&mut self, s: &Submission, id: i64) {
        let r = &s.response;
        let at = sqlite_time(s.at);
        self.responses.push(json!([
            id,
            r.survey,
            r.wave,
            r.invitation,
            r.client,
            r.contact,
            r.language,
            at
        ]));
        for a in &s.answers {
            let choices = (!a.choices.is_empty()).then(|| {
                a.choices
                    .iter()
                    .map(usize::to_string)
                    .collect::<Vec<_>>()
                    .join(",")
            });
            self.answers
                .push(json!([id, a.question_id, a.score, choices, a.body]));
        }
        if let Some(invitation) = r.invitation {
            self.invitations.push(json!(invitation));
        }
    }

    fn add_complaint(
        &mut self,
        s: &Submission,
        c: &SurveyComplaint,
        due: Option<(DateTime<Utc>, DateTime<Utc>)>,
        response: i64,
        id: i64,
    ) {
        let new = c.row(response);
        let at = sqlite_time(s.at);
        self.complaints.push(json!({
            "id": id,
            "client": new.client,
            "contact": new.contact,
            "portal_user": new.portal_user,
            "project": new.project,
            "source": new.source,
            "category": new.category,
            "severity": new.severity,
            "description": new.description,
            "assignee": new.assignee,
            "created_by": new.created_by,
            "at": at,
            "first_due": due.map(|d| sqlite_time(d.0)),
            "resolution_due": due.map(|d| sqlite_time(d.1)),
            "response": new.survey_response,
        }));
        let e = &RAISED;
        self.events.push(json!([
            id,
            e.kind,
            e.visible_to_client,
            e.body,
            e.from_status,
            e.to_status,
            e.staff,
            e.portal_user,
            at
        ]));
    }

    /// One statement per table that has rows, in the order the foreign keys need.
    async fn write(&self, tx: &mut Tx) -> Result<(), sqlx::Error> {
        let statements = [
            (&self.responses, INSERT_RESPONSES),
            (&self.answers, INSERT_ANSWERS),
            (&self.invitations, MARK_INVITATIONS_ANSWERED),
            (&self.complaints, INSERT_COMPLAINTS),
            (&self.events, INSERT_EVENTS),
        ];
        for (rows, sql) in statements {
            if !rows.is_empty() {
                let rows =
                    serde_json::to_string(rows).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
                execute(tx, sql, rows).await?;
            }
        }
        Ok(())
    }
}

// The batch's SQL (SQLite only: `json_each` and `->>`).

const INSERT_RESPONSES: &str = concat!(
    "INSERT INTO survey_responses (id, survey_id, wave_id, invitation_id, client_id, contact_id,
                                   language, client_kind, risk_appetite, ticket_band,
                                   lifecycle_stage, submitted_at)
     SELECT r.value ->> 0, r.value ->> 1, r.value ->> 2, r.value ->> 3, r.value ->> 4,
            r.value ->> 5, r.value ->> 6, ",
    client_kind_as_recorded!(),
    ", ip.risk_appetite, ip.ticket_band, c.lifecycle_stage, r.value ->> 7
     FROM json_each($1) AS r
     LEFT JOIN clients c ON c.id = r.value ->> 4
     LEFT JOIN investor_profiles ip ON ip.client_id = c.id"
);

const INSERT_ANSWERS: &str =
    "INSERT INTO survey_answers (response_id, question_id, score, choices, body)
     SELECT a.value ->> 0, a.value ->> 1, a.value ->> 2, a.value ->> 3, a.value ->> 4
     FROM json_each($1) AS a";

// Each invitation is answered when its response (just inserted) was submitted: found by
// the unique index on the response's invitation, not by searching the batch's JSON.
const MARK_INVITATIONS_ANSWERED: &str = "UPDATE survey_invitations
     SET answered_at = (SELECT r.submitted_at FROM survey_responses r
                        WHERE r.invitation_id = survey_invitations.id)
     WHERE id IN (SELECT value FROM json_each($1))";

const INSERT_COMPLAINTS: &str =
    "INSERT INTO complaints (id, client_id, contact_id, portal_user_id, project_id, source,
                             category, severity, status, description, assignee_id, created_by,
                             created_at, updated_at, version, first_response_due_at,
                             resolution_due_at, survey_response_id)
     SELECT q.value ->> 'id', q.value ->> 'client', q.value ->> 'contact',
            q.value ->> 'portal_user', q.value ->> 'project', q.value ->> 'source',
            q.value ->> 'category', q.value ->> 'severity', 'new', q.value ->> 'description',
            q.value ->> 'assignee', q.value ->> 'created_by', q.value ->> 'at', q.value ->> 'at',
            1, q.value ->> 'first_due', q.value ->> 'resolution_due', q.value ->> 'response'
     FROM json_each($1) AS q";

const INSERT_EVENTS: &str =
    "INSERT INTO complaint_events (complaint_id, kind, visible_to_client, body, from_status,
                                   to_status, staff_id, portal_user_id, created_at)
     SELECT e.value ->> 0, e.value ->> 1, e.value ->> 2, e.value ->> 3, e.value ->> 4,
            e.value ->> 5, e.value ->> 6, e.value ->> 7, e.value ->> 8
     FROM json_each($1) AS e";

/// Where the batch's ids start, which of its invitations have a response already, and the
/// complaint targets its complaints' due times come from (read once per batch rather than
/// once per poor answer).
struct StartingPoint {
    last_response: i64,
    last_complaint: i64,
    answered: HashSet<i64>,
    targets: Vec<(String, Target)>,
}

/// Read inside the batch's transaction, which holds SQLite's write lock: no other writer can
/// take these ids or answer these invitations before it commits.
async fn starting_point(tx: &mut Tx, invitations: &[i64]) -> Result<StartingPoint, sqlx::Error> {
    let Tx::Sqlite(t) = tx else {
        return Err(sqlite_only());
    };
    let (last_response, last_complaint, answered, targets): (i64, i64, String, String) =
        sqlx::query_as(
            "SELECT (SELECT COALESCE(MAX(id), 0) FROM survey_responses),
                    (SELECT COALESCE(MAX(id), 0) FROM complaints),
                    (SELECT json_group_array(invitation_id) FROM survey_responses
                     WHERE invitation_id IN (SELECT value FROM json_each($1))),
                    (SELECT json_group_array(json_array(severity, first_response_hours,
                                                        resolution_hours))
                     FROM complaint_targets)",
        )
        .bind(json!(invitations).to_string())
        .fetch_one(&mut **t)
        .await?;
    let answered: Vec<i64> = from_json(&answered)?;
    let targets: Vec<(String, i64, i64)> = from_json(&targets)?;
    Ok(StartingPoint {
        last_response,
        last_complaint,
        answered: answered.into_iter().collect(),
        targets: targets
            .into_iter()
            .map(|(severity, first_response_hours, resolution_hours)| {
                let target = Target {
                    first_response_hours,
                    resolution_hours,
                };
                (severity, target)
            })
            .collect(),
    })
}

fn from_json<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, sqlx::Error> {
    serde_json::from_str(text).map_err(|e| sqlx::Error::Decode(Box::new(e)))
}

async fn execute(tx: &mut Tx, sql: &'static str, rows: String) -> Result<(), sqlx::Error> {
    let Tx::Sqlite(t) = tx else {
        return Err(sqlite_only());
    };
    sqlx::query(sql)
        .bind(rows)
        .execute(&mut **t)
        .await
        .map(|_| ())
}

fn sqlite_only() -> sqlx::Error {
    sqlx::Error::Protocol("the batched survey writer runs on SQLite only".into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use sqlx::sqlite::SqliteArgumentValue;
    use sqlx::{Encode, Sqlite};

    /// The text sqlx itself binds for `at`.
    fn bound_by_sqlx(at: DateTime<Utc>) -> String {
        let mut values = Vec::new();
        let _ = <DateTime<Utc> as Encode<Sqlite>>::encode_by_ref(&at, &mut values);
        match values.first() {
            Some(SqliteArgumentValue::Text(text)) => text.to_string(),
            _ => String::new(),
        }
    }

    #[test]
    fn times_are_written_as_sqlx_binds_them() {
        let at = Utc
            .with_ymd_and_hms(2026, 12, 6, 8, 30, 0)
            .single()
            .expect("a valid time");
        for t in [at, at + chrono::Duration::microseconds(1500)] {
            assert_eq!(sqlite_time(t), bound_by_sqlx(t));
        }
        assert_eq!(sqlite_time(at), "2026-12-06T08:30:00+00:00");
    }
}
