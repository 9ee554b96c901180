//! Integration tests: the real app on a real listener, a fresh database per test, on SQLite
//! and on PostgreSQL (`TEST_DATABASE_URL`; under `CI=true` a missing PostgreSQL fails).
mod helpers;

mod audit;
mod auth;
mod authorization;
mod board_totals;
mod cli;
mod clients;
mod complaint_targets;
mod contacts;
mod deals;
mod documents;
mod health;
mod jobs;
mod lifecycle;
mod mail;
mod multi_instance;
mod pipeline;
mod portal_access;
mod portal_complaints;
mod portal_engagement;
mod portal_profile;
mod portal_questions;
mod portal_track_record;
mod portal_updates;
mod projects;
mod request_log;
mod schema;
mod surveys;
mod timeline;
mod users;
