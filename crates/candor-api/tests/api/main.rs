//! The API end to end: the real application on a loopback port, a real
//! database (SQLite; MariaDB too for uploads and tenancy) and a real local
//! object store.

mod helpers;

mod auth;
mod compression;
mod contract;
mod docs;
mod errors;
mod feedback;
mod health;
mod media;
mod metrics;
mod pages;
mod practice_links;
mod queue;
mod report;
mod stats;
mod submit;
mod tenancy;
