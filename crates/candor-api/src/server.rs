//! The HTTP/1.1 server under the router: our own accept loop on hyper
//! instead of `axum::serve`, so that what a client can hold (sockets,
//! header time, idle time) is bounded.
//!
//! - **Header timeout** (`CANDOR_HEADER_TIMEOUT`, 10 s): a connection has
//!   this long from its accept to send its first request head, and a kept-alive
//!   connection this long from the first byte of each later head. A silent or
//!   trickling client is disconnected, never answered.
//! - **Idle timeout** (`CANDOR_IDLE_TIMEOUT`, 75 s): a kept-alive connection
//!   with no request in flight is closed after this long.
//! - **Body timeout** (`CANDOR_BODY_TIMEOUT`, 30 s): while a handler waits for
//!   more of a request body, or hyper waits for the client to take more of a
//!   response, nothing may happen for this long. It bounds stalls, not
//!   speed: a 500 MiB upload over a slow link that keeps moving is never cut.
//! - **Connection cap** (`CANDOR_MAX_CONNECTIONS`, derived from the open-file
//!   limit by [`derived_max_connections`]). At the cap, a newcomer takes the
//!   place of an idle connection, as nginx reclaims its reusable
//!   connections: the one waiting the longest for its first request head,
//!   else the one kept alive the longest between requests (its client may
//!   be sending the next one just then); never one with a request in flight
//!   or a response still being sent. The reclaimed socket is closed before
//!   the next accept, so the cap really bounds file descriptors. When every
//!   connection is busy, up to
//!   [`HEALTH_CONNECTIONS`] more are accepted that serve `/health/*` only
//!   (one request each, a header timeout of at most
//!   [`HEALTH_HEADER_TIMEOUT`]) and answer anything else 503 with
//!   `Connection: close`; beyond those a connection is closed at once.
//!   Whatever happens at the cap is logged at most once a second.
//! - An `accept()` that fails for lack of a resource (EMFILE, ENFILE,
//!   ENOBUFS, ENOMEM) is retried after [`ACCEPT_BACKOFF`], logged at most
//!   once a second; a connection the peer aborted is skipped.
//! - Graceful shutdown stops accepting, closes idle connections, lets the
//!   requests in flight finish (their timeouts still apply) and returns when
//!   the last connection is gone.

use std::collections::HashMap;
use std::convert::Infallible;
use std::future::Future;
use std::io;
use std::pin::{pin, Pin};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::Body;
use axum::http::{header, HeaderValue, Request, Response, StatusCode};
use axum::Router;
use bytes::Bytes;
use http_body::{Frame, SizeHint};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{watch, Notify};
use tokio::time::{Instant, Sleep};

use crate::config::ApiConfig;

/// Connections beyond the cap that serve `/health/*` only, for a load
/// balancer's probes while every regular connection is busy.
pub const HEALTH_CONNECTIONS: usize = 8;
/// A health-only connection's header timeout, when `CANDOR_HEADER_TIMEOUT`
/// is longer: probes send their request at once.
pub const HEALTH_HEADER_TIMEOUT: Duration = Duration::from_secs(2);
/// File descriptors kept for everything but client connections: stdio, the
/// runtime's epoll and wake-up descriptors, the listener, the database pool
/// (10), the job children's pipes (3 per job), webhook deliveries, log and
/// `/proc` reads.
pub const RESERVED_FILES: u64 = 64;
/// The derived cap never exceeds this (each connection costs buffers and a
/// task; far more concurrent requests than the database pool can serve).
/// `CANDOR_MAX_CONNECTIONS` may set more.
pub const MAX_DERIVED_CONNECTIONS: usize = 4096;
/// The pause after an `accept()` that failed for lack of a resource.
pub const ACCEPT_BACKOFF: Duration = Duration::from_millis(50);

/// The cap when `CANDOR_MAX_CONNECTIONS` is not set: from the soft
/// RLIMIT_NOFILE (`None`: unlimited), keep [`RESERVED_FILES`] and one
/// descriptor per health-only connection, then allow two descriptors per
/// connection (an upload or a media download also holds a connection to
/// the object store), at least 1 and at most [`MAX_DERIVED_CONNECTIONS`].
pub fn derived_max_connections(open_files: Option<u64>) -> usize {
    match open_files {
        None => MAX_DERIVED_CONNECTIONS,
        Some(limit) => {
            let available = limit.saturating_sub(RESERVED_FILES + HEALTH_CONNECTIONS as u64) / 2;
            usize::try_from(available)
                .unwrap_or(usize::MAX)
                .clamp(1, MAX_DERIVED_CONNECTIONS)
        }
    }
}

/// The soft limit on open files of this process; `None` when unlimited or
/// unknown.
pub fn open_file_limit() -> Option<u64> {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit writes the struct it is given and nothing else.
    let status = unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) };
    (status == 0 && limit.rlim_cur != libc::RLIM_INFINITY).then_some(limit.rlim_cur)
}

/// The limits the server runs with, the cap resolved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ServerLimits {
    pub header_timeout: Duration,
    pub idle_timeout: Duration,
    pub body_timeout: Duration,
    pub max_connections: usize,
    pub health_connections: usize,
}

impl ServerLimits {
    /// The configured limits; the cap derived from the open-file limit when
    /// not set (a cap set above what that limit allows is kept, with a
    /// warning).
    pub fn from_config(config: &ApiConfig) -> ServerLimits {
        let open_files = open_file_limit();
        let derived = derived_max_connections(open_files);
        let max_connections = match config.max_connections {
            Some(max) => {
                if max > derived && open_files.is_some() {
                    tracing::warn!(
                        max_connections = max,
                        open_files,
                        "CANDOR_MAX_CONNECTIONS is more than the open-file limit leaves room for; \
                         raise the limit (ulimit -n, LimitNOFILE) or the process may run out of \
                         file descriptors"
                    );
                }
                max
            }
            None => derived,
        };
        ServerLimits {
            header_timeout: config.header_timeout,
            idle_timeout: config.idle_timeout,
            body_timeout: config.body_timeout,
            max_connections,
            health_connections: HEALTH_CONNECTIONS,
        }
    }
}

/// Serves `router` on `listener` until `shutdown` completes, then shuts
/// down gracefully (module docs).
pub(crate) async fn serve(
    listener: TcpListener,
    router: Router,
    limits: ServerLimits,
    shutdown: impl Future<Output = ()>,
) -> io::Result<()> {
    let registry = Arc::new(Registry::new(limits));
    let (stop_tx, stop_rx) = watch::channel(false);
    // Every connection task holds a receiver; `closed()` resolves when the
    // last one is gone.
    let (open_tx, open_rx) = watch::channel(());
    let mut shutdown = pin!(shutdown);
    let mut accept_errors = EverySecond::default();
    loop {
        // The cap counts file descriptors: a reclaimed connection is closed
        // before another one is accepted.
        registry.reclaimed_closed().await;
        let accepted = tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => accepted,
        };
        let stream = match accepted {
            Ok((stream, _peer)) => stream,
            Err(error) if is_connection_error(&error) => continue,
            Err(error) => {
                // Out of descriptors or memory: retrying at once would spin.
                if let Some(failures) = accept_errors.tick() {
                    tracing::error!(%error, failures, "accept failed; backing off");
                }
                tokio::select! {
                    () = &mut shutdown => break,
                    () = tokio::time::sleep(ACCEPT_BACKOFF) => continue,
                }
            }
        };
        let Some(slot) = registry.admit() else {
            drop(stream);
            continue;
        };
        let connection = ConnectionTask {
            slot,
            registry: registry.clone(),
            router: router.clone(),
            body_timeout: limits.body_timeout,
            stop: stop_rx.clone(),
            _open: open_rx.clone(),
        };
        tokio::spawn(connection.run(stream));
    }
    drop(listener);
    tracing::info!(
        connections = registry.len(),
        "API shutting down: no new connections; requests in flight finish"
    );
    let _ = stop_tx.send(true);
    drop(open_rx);
    open_tx.closed().await;
    Ok(())
}

/// Errors of one connection that the peer caused; the listener is fine.
fn is_connection_error(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::ConnectionRefused
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
            | io::ErrorKind::Interrupted
    )
}

/// Counts events and says when to log them: at most once a second.
#[derive(Default)]
struct EverySecond {
    last: Option<Instant>,
    since_last: u64,
}

impl EverySecond {
    /// One more event; `Some(events since the last line)` when it is time
    /// to log a line.
    fn tick(&mut self) -> Option<u64> {
        self.since_last += 1;
        let now = Instant::now();
        if self
            .last
            .is_some_and(|last| now.duration_since(last) < Duration::from_secs(1))
        {
            return None;
        }
        self.last = Some(now);
        Some(std::mem::take(&mut self.since_last))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Regular,
    /// Beyond the cap: `/health/*` only, one request.
    HealthOnly,
}

/// The live connections, for the cap and for reclaiming idle ones.
struct Registry {
    limits: ServerLimits,
    inner: Mutex<RegistryInner>,
    /// A reclaimed connection's task ended.
    closed: Notify,
}

#[derive(Default)]
struct RegistryInner {
    next_id: u64,
    regular: usize,
    health_only: usize,
    slots: HashMap<u64, Arc<Slot>>,
    /// Reclaimed connections whose tasks have not closed them yet.
    closing: usize,
    /// What the cap made us do since the last log line.
    pressure: Pressure,
}

#[derive(Default)]
struct Pressure {
    log: EverySecond,
    reclaimed: u64,
    health_only: u64,
    refused: u64,
}

impl Registry {
    fn new(limits: ServerLimits) -> Registry {
        Registry {
            limits,
            inner: Mutex::default(),
            closed: Notify::new(),
        }
    }

    /// Returns once every reclaimed connection is closed (normally at
    /// once: its task only has to wake up), or after a second.
    async fn reclaimed_closed(&self) {
        let deadline = Instant::now() + Duration::from_secs(1);
        while self.lock().closing > 0 {
            if tokio::time::timeout_at(deadline, self.closed.notified())
                .await
                .is_err()
            {
                return;
            }
        }
    }

    fn lock(&self) -> MutexGuard<'_, RegistryInner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn len(&self) -> usize {
        self.lock().slots.len()
    }

    /// A slot for a new connection, or `None` to close it at once.
    fn admit(&self) -> Option<Arc<Slot>> {
        let limits = &self.limits;
        let mut inner = self.lock();
        let at_cap = inner.regular >= limits.max_connections;
        let kind = if !at_cap {
            Kind::Regular
        } else if inner.reclaim(Kind::Regular) {
            inner.pressure.reclaimed += 1;
            Kind::Regular
        } else if inner.health_only < limits.health_connections {
            inner.pressure.health_only += 1;
            Kind::HealthOnly
        } else if inner.reclaim(Kind::HealthOnly) {
            inner.pressure.reclaimed += 1;
            Kind::HealthOnly
        } else {
            inner.pressure.refused += 1;
            inner.log_pressure(limits);
            return None;
        };
        let header_timeout = match kind {
            Kind::Regular => limits.header_timeout,
            Kind::HealthOnly => limits.header_timeout.min(HEALTH_HEADER_TIMEOUT),
        };
        inner.next_id += 1;
        let slot = Arc::new(Slot::new(
            inner.next_id,
            kind,
            header_timeout,
            limits.idle_timeout,
        ));
        match kind {
            Kind::Regular => inner.regular += 1,
            Kind::HealthOnly => inner.health_only += 1,
        }
        inner.slots.insert(slot.id, slot.clone());
        if at_cap {
            inner.log_pressure(limits);
        }
        Some(slot)
    }

    /// Forgets a connection whose socket is closed.
    fn remove(&self, slot: &Slot) {
        let mut inner = self.lock();
        if inner.slots.contains_key(&slot.id) {
            inner.remove(slot.id);
        } else {
            // Reclaimed: counted as closing until now.
            inner.closing -= 1;
            drop(inner);
            self.closed.notify_one();
        }
    }
}

impl RegistryInner {
    fn remove(&mut self, id: u64) {
        if let Some(slot) = self.slots.remove(&id) {
            match slot.kind {
                Kind::Regular => self.regular -= 1,
                Kind::HealthOnly => self.health_only -= 1,
            }
        }
    }

    /// Closes the connection of `kind` idle the longest, one that never
    /// sent a request first (a kept-alive client may be sending its next
    /// one right now); false when every one is busy.
    fn reclaim(&mut self, kind: Kind) -> bool {
        // A connection may turn busy between the scan and the eviction;
        // then look again.
        for _ in 0..4 {
            let oldest = self
                .slots
                .values()
                .filter(|slot| slot.kind == kind)
                .filter_map(|slot| slot.idle_since().map(|idle| (idle, slot)))
                .min_by_key(|(idle, _)| *idle)
                .map(|(_, slot)| slot.clone());
            let Some(victim) = oldest else {
                return false;
            };
            if victim.evict() {
                self.remove(victim.id);
                self.closing += 1;
                return true;
            }
        }
        false
    }

    fn log_pressure(&mut self, limits: &ServerLimits) {
        if self.pressure.log.tick().is_none() {
            return;
        }
        let pressure = &mut self.pressure;
        tracing::warn!(
            max_connections = limits.max_connections,
            open = self.regular,
            health_only_open = self.health_only,
            reclaimed_idle = std::mem::take(&mut pressure.reclaimed),
            health_only_accepted = std::mem::take(&mut pressure.health_only),
            refused = std::mem::take(&mut pressure.refused),
            "connection limit reached: idle connections are closed for newcomers; \
             when all are busy only /health/* is served (counts since the last line)"
        );
    }
}

/// One connection's state, shared by its task, its I/O, its requests and
/// the registry.
struct Slot {
    id: u64,
    kind: Kind,
    header_timeout: Duration,
    idle_timeout: Duration,
    state: Mutex<SlotState>,
    /// The task should look at the state again.
    changed: Notify,
    /// Idle after a response: the next byte read starts a request head.
    awaiting_head: AtomicBool,
    /// A response ended but hyper has not flushed it yet: closing now
    /// would cut it.
    unflushed: AtomicBool,
}

struct SlotState {
    /// Requests in flight (HTTP/1: 0 or 1).
    requests: usize,
    /// With no request in flight: when the connection is closed.
    deadline: Instant,
    /// With no request in flight: since when it has been idle (the last
    /// response, or the first byte of a head).
    since: Instant,
    /// Reclaimed for a newcomer: the task closes it.
    evicted: bool,
    /// A request was started on it.
    used: bool,
}

/// What a connection task should do now.
enum Next {
    Close(&'static str),
    WaitUntil(Instant),
    Serve,
}

impl Slot {
    fn new(id: u64, kind: Kind, header_timeout: Duration, idle_timeout: Duration) -> Slot {
        let now = Instant::now();
        Slot {
            id,
            kind,
            header_timeout,
            idle_timeout,
            state: Mutex::new(SlotState {
                requests: 0,
                // The first head is timed from the accept.
                deadline: now + header_timeout,
                since: now,
                evicted: false,
                used: false,
            }),
            changed: Notify::new(),
            awaiting_head: AtomicBool::new(false),
            unflushed: AtomicBool::new(false),
        }
    }

    fn lock(&self) -> MutexGuard<'_, SlotState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Whether the connection ever served a request and since when it has
    /// been idle, if it may be closed now.
    fn idle_since(&self) -> Option<(bool, Instant)> {
        let state = self.lock();
        (state.requests == 0 && !state.evicted && !self.unflushed.load(Ordering::Acquire))
            .then_some((state.used, state.since))
    }

    /// Marks an idle connection for closing; false if it is busy.
    fn evict(&self) -> bool {
        let mut state = self.lock();
        if state.requests > 0 || state.evicted || self.unflushed.load(Ordering::Acquire) {
            return false;
        }
        state.evicted = true;
        drop(state);
        self.changed.notify_one();
        true
    }

    /// A request head arrived; false if the connection was reclaimed.
    fn start_request(&self) -> bool {
        let mut state = self.lock();
        if state.evicted {
            return false;
        }
        state.requests += 1;
        state.used = true;
        self.awaiting_head.store(false, Ordering::Release);
        true
    }

    /// The response was handed to hyper (or the request abandoned).
    fn end_request(&self) {
        let mut state = self.lock();
        state.requests -= 1;
        if state.requests == 0 {
            let now = Instant::now();
            state.deadline = now + self.idle_timeout;
            state.since = now;
            self.unflushed.store(true, Ordering::Release);
            self.awaiting_head.store(true, Ordering::Release);
        }
        drop(state);
        self.changed.notify_one();
    }

    /// Bytes arrived from the client.
    fn read_bytes(&self) {
        if !self.awaiting_head.swap(false, Ordering::AcqRel) {
            return;
        }
        let mut state = self.lock();
        if state.requests == 0 {
            let now = Instant::now();
            state.deadline = now + self.header_timeout;
            state.since = now;
        }
        drop(state);
        self.changed.notify_one();
    }

    /// hyper flushed what it had written.
    fn flushed(&self) {
        self.unflushed.store(false, Ordering::Release);
    }

    fn next(&self, stopping: bool) -> Next {
        let state = self.lock();
        if state.evicted {
            return Next::Close("reclaimed for a new connection at the connection limit");
        }
        if state.requests > 0 {
            return Next::Serve;
        }
        let flushed = !self.unflushed.load(Ordering::Acquire);
        if stopping && flushed {
            return Next::Close("shutting down");
        }
        if Instant::now() >= state.deadline {
            return Next::Close(if self.awaiting_head.load(Ordering::Acquire) {
                "idle timeout"
            } else {
                "header timeout"
            });
        }
        Next::WaitUntil(state.deadline)
    }
}

/// Serves one connection and enforces its deadlines.
struct ConnectionTask {
    slot: Arc<Slot>,
    registry: Arc<Registry>,
    router: Router,
    body_timeout: Duration,
    stop: watch::Receiver<bool>,
    /// Dropped when the task ends: the server waits for all of them.
    _open: watch::Receiver<()>,
}

impl ConnectionTask {
    async fn run(mut self, stream: TcpStream) {
        let slot = self.slot.clone();
        // Also when a handler panics and unwinds this task.
        let _lease = Lease {
            registry: self.registry.clone(),
            slot: slot.clone(),
        };
        let health_only = slot.kind == Kind::HealthOnly;
        let io = TokioIo::new(TrackedIo::new(stream, slot.clone(), self.body_timeout));
        let service = ConnectionService {
            router: self.router.clone(),
            slot: slot.clone(),
            body_timeout: self.body_timeout,
            health_only,
        };
        let mut builder = http1::Builder::new();
        // Our deadlines replace hyper's header timeout (which cannot tell
        // an idle kept-alive connection from a slow head).
        builder
            .header_read_timeout(None::<Duration>)
            .keep_alive(!health_only);
        let mut connection = pin!(builder.serve_connection(io, service));
        let mut stopping = false;
        let mut sleep = pin!(tokio::time::sleep(Duration::ZERO));
        loop {
            let deadline = match slot.next(stopping) {
                Next::Close(reason) => {
                    tracing::debug!(reason, "closing a connection");
                    break;
                }
                Next::WaitUntil(deadline) => {
                    sleep.as_mut().reset(deadline);
                    true
                }
                Next::Serve => false,
            };
            tokio::select! {
                result = connection.as_mut() => {
                    if let Err(error) = result {
                        tracing::debug!(%error, "connection ended with an error");
                    }
                    break;
                }
                () = &mut sleep, if deadline => {}
                () = slot.changed.notified() => {}
                _ = self.stop.changed(), if !stopping => {
                    stopping = true;
                    connection.as_mut().graceful_shutdown();
                }
            }
        }
    }
}

/// A connection's place in the registry, given back when its task ends.
struct Lease {
    registry: Arc<Registry>,
    slot: Arc<Slot>,
}

impl Drop for Lease {
    fn drop(&mut self) {
        self.registry.remove(&self.slot);
    }
}

/// The router behind one connection: tracks requests in flight for the
/// slot, times request bodies, and on a health-only connection serves
/// `/health/*` alone.
#[derive(Clone)]
struct ConnectionService {
    router: Router,
    slot: Arc<Slot>,
    body_timeout: Duration,
    health_only: bool,
}

type ResponseFuture = Pin<Box<dyn Future<Output = Result<Response<Body>, Infallible>> + Send>>;

impl hyper::service::Service<Request<Incoming>> for ConnectionService {
    type Response = Response<Body>;
    type Error = Infallible;
    type Future = ResponseFuture;

    fn call(&self, request: Request<Incoming>) -> ResponseFuture {
        if !self.slot.start_request() {
            // Reclaimed as the head arrived: the connection is closing and
            // nobody reads this.
            return Box::pin(std::future::ready(Ok::<_, Infallible>(at_capacity())));
        }
        let guard = RequestGuard(self.slot.clone());
        if self.health_only && !request.uri().path().starts_with("/health/") {
            let response = at_capacity().map(|body| Body::new(GuardedBody { body, guard }));
            return Box::pin(std::future::ready(Ok::<_, Infallible>(response)));
        }
        let request = request.map(|body| Body::new(TimedBody::new(body, self.body_timeout)));
        let mut router = self.router.clone();
        let health_only = self.health_only;
        Box::pin(async move {
            let response = tower_service::Service::call(&mut router, request)
                .await
                .unwrap_or_else(|never| match never {});
            let mut response = response.map(|body| Body::new(GuardedBody { body, guard }));
            if health_only {
                response
                    .headers_mut()
                    .insert(header::CONNECTION, HeaderValue::from_static("close"));
            }
            Ok(response)
        })
    }
}

/// 503 for a request on a health-only connection (no log line: this is
/// what a flood looks like).
fn at_capacity() -> Response<Body> {
    let body = serde_json::json!({
        "error": {
            "code": "unavailable",
            "message": "the server is at its connection limit; try again shortly",
        }
    });
    let mut response = Response::new(Body::from(body.to_string()));
    *response.status_mut() = StatusCode::SERVICE_UNAVAILABLE;
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    headers.insert(header::CONNECTION, HeaderValue::from_static("close"));
    headers.insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
    response
}

/// A request in flight on a slot, until its response body is done with.
struct RequestGuard(Arc<Slot>);

impl Drop for RequestGuard {
    fn drop(&mut self) {
        self.0.end_request();
    }
}

/// A response body that ends its request when hyper drops it.
struct GuardedBody {
    body: Body,
    #[allow(dead_code)] // held for its Drop
    guard: RequestGuard,
}

impl http_body::Body for GuardedBody {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        Pin::new(&mut self.body).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}

/// The request body stalled for longer than the body timeout.
#[derive(Debug, thiserror::Error)]
#[error("the request body sent nothing for {} s", .0.as_secs_f64())]
pub struct BodyTimeout(Duration);

/// A request body whose reads fail once nothing arrived for `timeout`
/// while the handler was waiting for it.
struct TimedBody {
    body: Incoming,
    timeout: Duration,
    stall: Pin<Box<Sleep>>,
    stalled: bool,
}

impl TimedBody {
    fn new(body: Incoming, timeout: Duration) -> TimedBody {
        TimedBody {
            body,
            timeout,
            stall: Box::pin(tokio::time::sleep(timeout)),
            stalled: false,
        }
    }
}

impl http_body::Body for TimedBody {
    type Data = Bytes;
    type Error = Box<dyn std::error::Error + Send + Sync>;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        let this = &mut *self;
        match Pin::new(&mut this.body).poll_frame(cx) {
            Poll::Ready(frame) => {
                this.stalled = false;
                Poll::Ready(frame.map(|frame| frame.map_err(Into::into)))
            }
            Poll::Pending => {
                if !this.stalled {
                    this.stalled = true;
                    let deadline = Instant::now() + this.timeout;
                    this.stall.as_mut().reset(deadline);
                }
                match this.stall.as_mut().poll(cx) {
                    Poll::Ready(()) => Poll::Ready(Some(Err(BodyTimeout(this.timeout).into()))),
                    Poll::Pending => Poll::Pending,
                }
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}

/// The TCP stream of a connection: tells the slot when bytes arrive and
/// when writes are flushed, and fails a write that the client has not let
/// through for the body timeout (a client that stopped reading).
struct TrackedIo {
    stream: TcpStream,
    slot: Arc<Slot>,
    send_timeout: Duration,
    stall: Pin<Box<Sleep>>,
    stalled: bool,
}

impl TrackedIo {
    fn new(stream: TcpStream, slot: Arc<Slot>, send_timeout: Duration) -> TrackedIo {
        TrackedIo {
            stream,
            slot,
            send_timeout,
            stall: Box::pin(tokio::time::sleep(send_timeout)),
            stalled: false,
        }
    }

    /// After a write attempt: the result, or a timeout error once the
    /// socket has accepted nothing for the send timeout.
    fn write_result<T>(
        &mut self,
        cx: &mut Context<'_>,
        poll: Poll<io::Result<T>>,
    ) -> Poll<io::Result<T>> {
        match poll {
            Poll::Ready(result) => {
                self.stalled = false;
                Poll::Ready(result)
            }
            Poll::Pending => {
                if !self.stalled {
                    self.stalled = true;
                    let deadline = Instant::now() + self.send_timeout;
                    self.stall.as_mut().reset(deadline);
                }
                match self.stall.as_mut().poll(cx) {
                    Poll::Ready(()) => Poll::Ready(Err(io::Error::new(
                        io::ErrorKind::TimedOut,
                        "the client took nothing of the response for the body timeout",
                    ))),
                    Poll::Pending => Poll::Pending,
                }
            }
        }
    }
}

impl AsyncRead for TrackedIo {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let poll = Pin::new(&mut self.stream).poll_read(cx, buf);
        if matches!(poll, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            self.slot.read_bytes();
        }
        poll
    }
}

impl AsyncWrite for TrackedIo {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let poll = Pin::new(&mut self.stream).poll_write(cx, buf);
        self.write_result(cx, poll)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let poll = Pin::new(&mut self.stream).poll_write_vectored(cx, bufs);
        self.write_result(cx, poll)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let poll = Pin::new(&mut self.stream).poll_flush(cx);
        if matches!(poll, Poll::Ready(Ok(()))) {
            self.slot.flushed();
        }
        poll
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use axum::routing::{get, post};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::sync::oneshot;
    use tokio::task::JoinHandle;

    use super::*;

    fn limits() -> ServerLimits {
        ServerLimits {
            header_timeout: Duration::from_secs(30),
            idle_timeout: Duration::from_secs(30),
            body_timeout: Duration::from_secs(30),
            max_connections: 64,
            health_connections: 2,
        }
    }

    fn app() -> Router {
        Router::new()
            .route("/health/live", get(|| async { "ok" }))
            .route(
                "/slow",
                get(|| async {
                    tokio::time::sleep(Duration::from_millis(800)).await;
                    "slow"
                }),
            )
            .route(
                "/echo",
                post(|body: Bytes| async move { body.len().to_string() }),
            )
            .route("/big", get(|| async { vec![b'x'; 64 << 20] }))
    }

    struct Server {
        address: std::net::SocketAddr,
        stop: Option<oneshot::Sender<()>>,
        done: JoinHandle<io::Result<()>>,
    }

    impl Server {
        async fn start(limits: ServerLimits) -> Server {
            let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
            let address = listener.local_addr().unwrap();
            let (stop, stopped) = oneshot::channel::<()>();
            let done = tokio::spawn(serve(listener, app(), limits, async move {
                let _ = stopped.await;
            }));
            Server {
                address,
                stop: Some(stop),
                done,
            }
        }

        async fn connect(&self) -> TcpStream {
            TcpStream::connect(self.address).await.unwrap()
        }

        /// Sends `head` (and `body`) on a new connection and reads the whole
        /// answer; the requests say `Connection: close`.
        async fn ask(&self, method: &str, path: &str) -> String {
            let mut stream = self.connect().await;
            let request =
                format!("{method} {path} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
            stream.write_all(request.as_bytes()).await.unwrap();
            read_all(&mut stream).await
        }
    }

    async fn read_all(stream: &mut TcpStream) -> String {
        let mut answer = Vec::new();
        let read = tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut answer));
        let _ = read.await.expect("the server closes the connection");
        String::from_utf8_lossy(&answer).into_owned()
    }

    /// Waits for the peer to close `stream`; how long that took, or `None`
    /// within `limit`.
    async fn closed_within(stream: &mut TcpStream, limit: Duration) -> Option<Duration> {
        let started = Instant::now();
        let mut buf = [0; 1024];
        loop {
            match tokio::time::timeout_at(started + limit, stream.read(&mut buf)).await {
                Err(_) => return None,
                Ok(Ok(0)) | Ok(Err(_)) => return Some(started.elapsed()),
                Ok(Ok(_)) => {}
            }
        }
    }

    /// Lets the server accept what was connected.
    async fn settle() {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    #[test]
    fn the_derived_cap_leaves_room_for_other_files_and_a_store_connection_per_request() {
        assert_eq!(derived_max_connections(Some(256)), 92);
        assert_eq!(derived_max_connections(Some(1024)), 476);
        assert_eq!(derived_max_connections(Some(1_048_576)), 4096);
        assert_eq!(derived_max_connections(None), 4096);
        assert_eq!(derived_max_connections(Some(20)), 1);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn at_the_cap_the_longest_idle_connection_makes_room_for_a_newcomer() {
        let server = Server::start(ServerLimits {
            max_connections: 3,
            ..limits()
        })
        .await;
        // The oldest connection served a request and is kept alive.
        let mut kept = server.connect().await;
        kept.write_all(b"GET /health/live HTTP/1.1\r\nHost: t\r\n\r\n")
            .await
            .unwrap();
        assert!(kept.read(&mut [0; 1024]).await.unwrap() > 0);
        let mut silent = Vec::new();
        for _ in 0..2 {
            silent.push(server.connect().await);
            settle().await;
        }
        let answer = server.ask("GET", "/health/live").await;
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
        // The oldest silent connection was closed; the other one and the
        // kept-alive one (older, but it has proven itself) are open.
        let closed = closed_within(&mut silent[0], Duration::from_secs(1)).await;
        assert!(closed.is_some());
        assert_eq!(
            closed_within(&mut silent[1], Duration::from_millis(200)).await,
            None
        );
        assert_eq!(
            closed_within(&mut kept, Duration::from_millis(200)).await,
            None
        );
        // Among connections that all served a request, the one idle the
        // longest goes.
        let mut second = silent.pop().unwrap();
        let mut third = server.connect().await;
        for stream in [&mut second, &mut third] {
            stream
                .write_all(b"GET /health/live HTTP/1.1\r\nHost: t\r\n\r\n")
                .await
                .unwrap();
            assert!(stream.read(&mut [0; 1024]).await.unwrap() > 0);
        }
        let answer = server.ask("GET", "/health/live").await;
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
        let closed = closed_within(&mut kept, Duration::from_secs(1)).await;
        assert!(closed.is_some());
        for stream in [&mut second, &mut third] {
            assert_eq!(
                closed_within(stream, Duration::from_millis(200)).await,
                None
            );
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn when_every_connection_is_busy_only_health_checks_are_served() {
        let server = Arc::new(
            Server::start(ServerLimits {
                max_connections: 2,
                ..limits()
            })
            .await,
        );
        let slow: Vec<_> = (0..2)
            .map(|_| {
                let server = server.clone();
                tokio::spawn(async move { server.ask("GET", "/slow").await })
            })
            .collect();
        settle().await;
        let health = server.ask("GET", "/health/live").await;
        assert!(health.starts_with("HTTP/1.1 200"), "{health}");
        assert!(
            health.to_ascii_lowercase().contains("connection: close"),
            "{health}"
        );
        let other = server.ask("GET", "/echo").await;
        assert!(other.starts_with("HTTP/1.1 503"), "{other}");
        let lower = other.to_ascii_lowercase();
        assert!(lower.contains("connection: close") && lower.contains("retry-after: 1"));
        assert!(other.contains(r#""code":"unavailable""#), "{other}");
        for request in slow {
            let answer = request.await.unwrap();
            assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
        }
        // Room again: a regular connection with keep-alive.
        let mut stream = server.connect().await;
        stream
            .write_all(b"GET /health/live HTTP/1.1\r\nHost: t\r\n\r\n")
            .await
            .unwrap();
        let mut buf = [0; 1024];
        let n = stream.read(&mut buf).await.unwrap();
        let answer = String::from_utf8_lossy(&buf[..n]).to_ascii_lowercase();
        assert!(
            answer.starts_with("http/1.1 200") && !answer.contains("connection: close"),
            "{answer}"
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn silent_and_idle_connections_are_closed_at_their_timeouts() {
        let server = Server::start(ServerLimits {
            header_timeout: Duration::from_millis(300),
            idle_timeout: Duration::from_millis(900),
            ..limits()
        })
        .await;
        let mut silent = server.connect().await;
        let closed = closed_within(&mut silent, Duration::from_secs(3))
            .await
            .unwrap();
        assert!(
            closed >= Duration::from_millis(250) && closed < Duration::from_millis(800),
            "{closed:?}"
        );

        // A head that has not ended at the header timeout is not served.
        let mut trickle = server.connect().await;
        trickle
            .write_all(b"GET /health/live HTTP/1.1\r\n")
            .await
            .unwrap();
        let answer = read_all(&mut trickle).await;
        assert_eq!(answer, "");

        // Kept alive: the idle timeout, not the header timeout, applies
        // between requests; then the next head has the header timeout again.
        let mut kept = server.connect().await;
        kept.write_all(b"GET /health/live HTTP/1.1\r\nHost: t\r\n\r\n")
            .await
            .unwrap();
        let mut buf = [0; 1024];
        assert!(kept.read(&mut buf).await.unwrap() > 0);
        let closed = closed_within(&mut kept, Duration::from_secs(3))
            .await
            .unwrap();
        assert!(
            closed >= Duration::from_millis(800) && closed < Duration::from_millis(1500),
            "{closed:?}"
        );

        let mut kept = server.connect().await;
        kept.write_all(b"GET /health/live HTTP/1.1\r\nHost: t\r\n\r\n")
            .await
            .unwrap();
        assert!(kept.read(&mut buf).await.unwrap() > 0);
        tokio::time::sleep(Duration::from_millis(200)).await;
        kept.write_all(b"GET /health").await.unwrap();
        let closed = closed_within(&mut kept, Duration::from_secs(3))
            .await
            .unwrap();
        assert!(
            closed >= Duration::from_millis(250) && closed < Duration::from_millis(600),
            "{closed:?}"
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_stalled_body_is_ended_but_a_slow_steady_one_is_not() {
        let server = Server::start(ServerLimits {
            body_timeout: Duration::from_millis(500),
            ..limits()
        })
        .await;
        let head =
            "POST /echo HTTP/1.1\r\nHost: t\r\nConnection: close\r\nContent-Length: 10\r\n\r\n";

        let mut stalled = server.connect().await;
        stalled.write_all(head.as_bytes()).await.unwrap();
        stalled.write_all(b"abc").await.unwrap();
        let started = Instant::now();
        let answer = read_all(&mut stalled).await;
        let took = started.elapsed();
        assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");
        assert!(
            took >= Duration::from_millis(450) && took < Duration::from_millis(1500),
            "{took:?}"
        );

        let mut steady = server.connect().await;
        steady.write_all(head.as_bytes()).await.unwrap();
        for byte in b"0123456789" {
            tokio::time::sleep(Duration::from_millis(200)).await;
            steady.write_all(&[*byte]).await.unwrap();
        }
        let answer = read_all(&mut steady).await;
        assert!(
            answer.starts_with("HTTP/1.1 200") && answer.ends_with("\r\n\r\n10"),
            "{answer}"
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_client_that_stops_reading_a_response_is_cut_off_after_the_body_timeout() {
        let server = Server::start(ServerLimits {
            body_timeout: Duration::from_millis(500),
            ..limits()
        })
        .await;
        let mut stream = server.connect().await;
        stream
            .write_all(b"GET /big HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
            .await
            .unwrap();
        tokio::time::sleep(Duration::from_secs(2)).await;
        let mut received = 0;
        let mut buf = vec![0; 1 << 16];
        loop {
            match tokio::time::timeout(Duration::from_secs(5), stream.read(&mut buf)).await {
                Ok(Ok(0)) | Ok(Err(_)) => break,
                Ok(Ok(n)) => received += n,
                Err(_) => panic!("the connection is still open after {received} bytes"),
            }
        }
        assert!(received < 64 << 20, "{received}");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn shutdown_closes_idle_connections_and_lets_requests_in_flight_finish() {
        let mut server = Server::start(limits()).await;
        let mut idle = server.connect().await;
        let slow = {
            let mut stream = server.connect().await;
            tokio::spawn(async move {
                stream
                    .write_all(b"GET /slow HTTP/1.1\r\nHost: t\r\n\r\n")
                    .await
                    .unwrap();
                read_all(&mut stream).await
            })
        };
        settle().await;
        server.stop.take().unwrap().send(()).unwrap();
        let closed = closed_within(&mut idle, Duration::from_secs(1)).await;
        assert!(closed.is_some());
        let answer = slow.await.unwrap();
        assert!(
            answer.starts_with("HTTP/1.1 200") && answer.ends_with("slow"),
            "{answer}"
        );
        tokio::time::timeout(Duration::from_secs(2), &mut server.done)
            .await
            .expect("the server returns once the last connection is gone")
            .unwrap()
            .unwrap();
        assert!(TcpStream::connect(server.address).await.is_err());
    }
}
