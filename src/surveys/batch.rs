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
//! written by the plain path (`respond::write_one`), so one bad submission never costs the
//! others theirs.
//!
//! PostgreSQL takes writes side by side, but there too each answer written alone cost two
//! commits and a dozen statements, and the database's CPU bound the rate (about 500 a
//! second, the server at under half a core): it takes the same batches, its ids drawn
//! from the tables' sequences, since other servers may write beside this one. A link
//! answered on another server at the same moment fails the batch on the unique invitation,
//! and the plain path then records it once.
use super::model::Answer;
use super::repo::{NewResponse, client_kind_as_recorded};
use super::respond::{RAISED, SurveyComplaint};
use crate::feedback::complaints::targets::{Target, due_times_in};
use crate::server::db::{Db, Tx};
use crate::with_tx;
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
    /// Starts the task that writes `db`'s survey answers.
    pub fn start(db: &Db) -> Writer {
        let (sender, receiver) = mpsc::channel(MOST_WAITING);
        tokio::spawn(run(db.clone(), receiver));
        Writer(sender)
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
    let sql = Statements::for_db(&db);
    let mut batch = Vec::with_capacity(MOST_AT_ONCE);
    while receiver.recv_many(&mut batch, MOST_AT_ONCE).await > 0 {
        write_and_reply(&db, &sql, std::mem::take(&mut batch)).await;
    }
}

async fn write_and_reply(db: &Db, sql: &Statements, batch: Vec<Waiting>) {
    let submissions: Vec<&Submission> = batch.iter().map(|w| &w.submission).collect();
    match write_batch(db, sql, &submissions).await {
        Ok(ids) => {
            let outcomes = ids.into_iter().map(Ok).collect();
            reply_after_refresh(db, batch, outcomes);
        }
        Err(error) => {
            tracing::warn!(%error, size = batch.len(), "a batch of survey answers failed; writing each alone");
            let mut outcomes = Vec::with_capacity(batch.len());
            for waiting in &batch {
                outcomes.push(super::respond::write_one(db, &waiting.submission, None).await);
            }
            // One refresh for the batch's clients, as after a batch that succeeds.
            reply_after_refresh(db, batch, outcomes);
        }
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
async fn write_batch(
    db: &Db,
    sql: &Statements,
    batch: &[&Submission],
) -> Result<Vec<Option<i64>>, sqlx::Error> {
    let mut tx = db.begin().await?;
    let invitations: Vec<i64> = batch.iter().filter_map(|s| s.response.invitation).collect();
    let complaints = batch.iter().filter(|s| s.complaint.is_some()).count();
    let mut start = starting_point(&mut tx, &invitations, batch.len(), complaints).await?;
    let mut rows = Rows::new(db);
    let mut answered = std::mem::take(&mut start.answered);
    let (mut response_ids, mut complaint_ids) =
        (start.response_ids.iter(), start.complaint_ids.iter());
    let mut ids = Vec::with_capacity(batch.len());
    for s in batch {
        if s.response.invitation.is_some_and(|i| !answered.insert(i)) {
            ids.push(None);
            continue;
        }
        let response = *response_ids.next().ok_or_else(too_few_ids)?;
        rows.add_response(s, response);
        if let Some(c) = &s.complaint {
            let complaint = *complaint_ids.next().ok_or_else(too_few_ids)?;
            let due = due_times_in(&start.targets, c.severity, s.at);
            rows.add_complaint(s, c, due, response, complaint);
        }
        ids.push(Some(response));
    }
    rows.write(&mut tx, sql).await?;
    tx.commit().await?;
    Ok(ids)
}

fn too_few_ids() -> sqlx::Error {
    sqlx::Error::Protocol("the batch drew fewer ids than it writes rows".into())
}

/// A time as sqlx writes it to SQLite (RFC 3339, fractions as needed, `+00:00`), so that
/// times written here compare and sort with those bound as parameters.
fn sqlite_time(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::AutoSi, false)
}

/// A time as PostgreSQL would store it bound by sqlx: whole microseconds, cut rather than
/// rounded (PostgreSQL rounds the digits of a text beyond them).
fn postgres_time(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Micros, true)
}

// The columns each table's rows carry in the batch's JSON, named once for both the rows
// (`row`) and the statements that read them (`rows_of`).
const RESPONSE_COLUMNS: [&str; 8] = [
    "id",
    "survey_id",
    "wave_id",
    "invitation_id",
    "client_id",
    "contact_id",
    "language",
    "submitted_at",
];
const ANSWER_COLUMNS: [&str; 5] = ["response_id", "question_id", "score", "choices", "body"];
const COMPLAINT_COLUMNS: [&str; 15] = [
    "id",
    "client_id",
    "contact_id",
    "portal_user_id",
    "project_id",
    "source",
    "category",
    "severity",
    "description",
    "assignee_id",
    "created_by",
    "created_at",
    "first_response_due_at",
    "resolution_due_at",
    "survey_response_id",
];
const EVENT_COLUMNS: [&str; 9] = [
    "complaint_id",
    "kind",
    "visible_to_client",
    "body",
    "from_status",
    "to_status",
    "staff_id",
    "portal_user_id",
    "created_at",
];

/// One row as a JSON object named by `columns` (as many values as columns, by type).
fn row<const N: usize>(columns: &[&str; N], values: [Value; N]) -> Value {
    Value::Object(columns.iter().map(|c| c.to_string()).zip(values).collect())
}

/// The rows of a batch, table by table, as JSON arrays of objects named by column.
struct Rows {
    time: fn(DateTime<Utc>) -> String,
    responses: Vec<Value>,
    answers: Vec<Value>,
    invitations: Vec<Value>,
    complaints: Vec<Value>,
    events: Vec<Value>,
}

impl Rows {
    fn new(db: &Db) -> Rows {
        let time = match db {
            Db::Sqlite { .. } => sqlite_time,
            Db::Postgres(_) => postgres_time,
        };
        Rows {
            time,
            responses: Vec::new(),
            answers: Vec::new(),
            invitations: Vec::new(),
            complaints: Vec::new(),
            events: Vec::new(),
        }
    }

    fn add_response(&mut self, s: &Submission, id: i64) {
        let r = &s.response;
        self.responses.push(row(
            &RESPONSE_COLUMNS,
            [
                json!(id),
                json!(r.survey),
                json!(r.wave),
                json!(r.invitation),
                json!(r.client),
                json!(r.contact),
                json!(r.language),
                json!((self.time)(s.at)),
            ],
        ));
        for a in &s.answers {
            let choices = (!a.choices.is_empty()).then(|| {
                a.choices
                    .iter()
                    .map(usize::to_string)
                    .collect::<Vec<_>>()
                    .join(",")
            });
            self.answers.push(row(
                &ANSWER_COLUMNS,
                [
                    json!(id),
                    json!(a.question_id),
                    json!(a.score),
                    json!(choices),
                    json!(a.body),
                ],
            ));
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
        let at = (self.time)(s.at);
        self.complaints.push(row(
            &COMPLAINT_COLUMNS,
            [
                json!(id),
                json!(new.client),
                json!(new.contact),
                json!(new.portal_user),
                json!(new.project),
                json!(new.source),
                json!(new.category),
                json!(new.severity),
                json!(new.description),
                json!(new.assignee),
                json!(new.created_by),
                json!(at),
                json!(due.map(|d| (self.time)(d.0))),
                json!(due.map(|d| (self.time)(d.1))),
                json!(new.survey_response),
            ],
        ));
        let e = &RAISED;
        self.events.push(row(
            &EVENT_COLUMNS,
            [
                json!(id),
                json!(e.kind),
                json!(e.visible_to_client),
                json!(e.body),
                json!(e.from_status),
                json!(e.to_status),
                json!(e.staff),
                json!(e.portal_user),
                json!(at),
            ],
        ));
    }

    /// One statement per table that has rows, in the order the foreign keys need.
    async fn write(&self, tx: &mut Tx, sql: &Statements) -> Result<(), sqlx::Error> {
        let statements = [
            (&self.responses, &sql.responses),
            (&self.answers, &sql.answers),
            (&self.invitations, &sql.invitations),
            (&self.complaints, &sql.complaints),
            (&self.events, &sql.events),
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

/// The batch's statements in the database's words, spelled once when the writer starts.
/// Each table's rows are the JSON array bound as `$1`, read as a table of its own
/// (`rows_of`), so the statements around it are the same on both engines.
struct Statements {
    responses: String,
    answers: String,
    invitations: String,
    complaints: String,
    events: String,
}

impl Statements {
    fn for_db(db: &Db) -> Statements {
        Statements {
            responses: insert_responses(db),
            answers: insert_answers(db),
            invitations: mark_invitations_answered(db),
            complaints: insert_complaints(db),
            events: insert_events(db),
        }
    }
}

/// The rows of `table` bound as `$1`, as a table aliased `r` with the given columns.
fn rows_of(db: &Db, table: &str, columns: &[&str]) -> String {
    match db {
        Db::Sqlite { .. } => {
            // json_each renders an element's `value` as text each time it is named, so
            // naming it once per column rendered every row a dozen times (the largest share
            // of the writer's JSON work). Each row is rendered once into the materialised
            // `element`; each `->>` then finds it parsed in SQLite's JSON cache.
            let picked: Vec<String> = columns
                .iter()
                .map(|c| format!("element ->> '{c}' AS {c}"))
                .collect();
            format!(
                "(WITH elements AS MATERIALIZED (SELECT value AS element FROM json_each($1))
                  SELECT {} FROM elements) AS r",
                picked.join(", ")
            )
        }
        // The table's own row type gives each column its type.
        Db::Postgres(_) => {
            format!("json_populate_recordset(CAST(NULL AS {table}), CAST($1 AS JSON)) AS r")
        }
    }
}

fn insert_responses(db: &Db) -> String {
    let rows = rows_of(db, "survey_responses", &RESPONSE_COLUMNS);
    format!(
        concat!(
            "INSERT INTO survey_responses (id, survey_id, wave_id, invitation_id, client_id,
                                           contact_id, language, client_kind, risk_appetite,
                                           ticket_band, lifecycle_stage, submitted_at)
             SELECT r.id, r.survey_id, r.wave_id, r.invitation_id, r.client_id, r.contact_id,
                    r.language, ",
            client_kind_as_recorded!(),
            ", ip.risk_appetite, ip.ticket_band, c.lifecycle_stage, r.submitted_at
             FROM {rows}
             LEFT JOIN clients c ON c.id = r.client_id
             LEFT JOIN investor_profiles ip ON ip.client_id = c.id"
        ),
        rows = rows
    )
}

fn insert_answers(db: &Db) -> String {
    let rows = rows_of(db, "survey_answers", &ANSWER_COLUMNS);
    let columns = ANSWER_COLUMNS.join(", ");
    format!("INSERT INTO survey_answers ({columns}) SELECT {columns} FROM {rows}")
}

// Each invitation is answered when its response (just inserted) was submitted: found by
// the unique index on the response's invitation, not by searching the batch's JSON.
fn mark_invitations_answered(db: &Db) -> String {
    format!(
        "UPDATE survey_invitations
         SET answered_at = (SELECT r.submitted_at FROM survey_responses r
                            WHERE r.invitation_id = survey_invitations.id)
         WHERE {}",
        db.id_in_json("id", 1)
    )
}

fn insert_complaints(db: &Db) -> String {
    let rows = rows_of(db, "complaints", &COMPLAINT_COLUMNS);
    format!(
        "INSERT INTO complaints (id, client_id, contact_id, portal_user_id, project_id, source,
                                 category, severity, status, description, assignee_id,
                                 created_by, created_at, updated_at, version,
                                 first_response_due_at, resolution_due_at, survey_response_id)
         SELECT r.id, r.client_id, r.contact_id, r.portal_user_id, r.project_id, r.source,
                r.category, r.severity, 'new', r.description, r.assignee_id, r.created_by,
                r.created_at, r.created_at, 1, r.first_response_due_at, r.resolution_due_at,
                r.survey_response_id
         FROM {rows}"
    )
}

fn insert_events(db: &Db) -> String {
    let rows = rows_of(db, "complaint_events", &EVENT_COLUMNS);
    let columns = EVENT_COLUMNS.join(", ");
    format!("INSERT INTO complaint_events ({columns}) SELECT {columns} FROM {rows}")
}

/// The ids the batch's rows take, which of its invitations have a response already, and
/// the complaint targets its complaints' due times come from (read once per batch rather
/// than once per poor answer).
struct StartingPoint {
    /// At least as many as the batch has submissions.
    response_ids: Vec<i64>,
    /// At least as many as the batch opens complaints.
    complaint_ids: Vec<i64>,
    answered: HashSet<i64>,
    targets: Vec<(String, Target)>,
}

/// Read inside the batch's transaction. On SQLite it holds the one write lock, so no other
/// writer can take the ids after the last ones or answer these invitations before it
/// commits. PostgreSQL draws the ids from the tables' sequences, which no other server's
/// transaction can draw again; a link answered elsewhere meanwhile fails the batch on the
/// unique invitation.
async fn starting_point(
    tx: &mut Tx,
    invitations: &[i64],
    responses: usize,
    complaints: usize,
) -> Result<StartingPoint, sqlx::Error> {
    let invitations = json!(invitations).to_string();
    let (response_ids, complaint_ids, answered, targets) = match tx {
        Tx::Sqlite(t) => {
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
                .bind(invitations)
                .fetch_one(&mut **t)
                .await?;
            let after = |last: i64, count: usize| (1..=count as i64).map(|n| last + n).collect();
            (
                after(last_response, responses),
                after(last_complaint, complaints),
                answered,
                targets,
            )
        }
        Tx::Postgres(t) => {
            let (response_ids, complaint_ids, answered, targets): (String, String, String, String) =
                sqlx::query_as(
                    "SELECT (SELECT CAST(COALESCE(json_agg(nextval(pg_get_serial_sequence(
                                     'survey_responses', 'id'))), '[]') AS TEXT)
                             FROM generate_series(1, $2)),
                            (SELECT CAST(COALESCE(json_agg(nextval(pg_get_serial_sequence(
                                     'complaints', 'id'))), '[]') AS TEXT)
                             FROM generate_series(1, $3)),
                            (SELECT CAST(COALESCE(json_agg(invitation_id), '[]') AS TEXT)
                             FROM survey_responses
                             WHERE invitation_id IN (SELECT CAST(value AS BIGINT)
                                 FROM json_array_elements_text(CAST($1 AS JSON)))),
                            (SELECT CAST(COALESCE(json_agg(json_build_array(severity,
                                     first_response_hours, resolution_hours)), '[]') AS TEXT)
                             FROM complaint_targets)",
                )
                .bind(invitations)
                .bind(responses as i64)
                .bind(complaints as i64)
                .fetch_one(&mut **t)
                .await?;
            (
                from_json(&response_ids)?,
                from_json(&complaint_ids)?,
                answered,
                targets,
            )
        }
    };
    let answered: Vec<i64> = from_json(&answered)?;
    let targets: Vec<(String, i64, i64)> = from_json(&targets)?;
    Ok(StartingPoint {
        response_ids,
        complaint_ids,
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

async fn execute(tx: &mut Tx, sql: &str, rows: String) -> Result<(), sqlx::Error> {
    with_tx!(tx, c => sqlx::query(sql).bind(rows).execute(c).await.map(|_| ()))
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
