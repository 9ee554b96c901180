//! Feedback: complaints (raised in the portal or logged by staff, answered on a timeline
//! the client sees), and later surveys' follow-up, response-time targets and escalation.
pub mod complaints;
