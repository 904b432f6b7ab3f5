//! Head orientation and movement over time.
//!
//! The pose is smoothed with a time constant (not a number of frames), and
//! movement is the path the smoothed pose travels beyond a dead band the
//! size of the measurement noise: jitter inside the band adds nothing, and
//! the same motion sampled at 2 or 15 frames a second travels the same
//! path. The path is cut into episodes of continuous motion; an episode
//! that takes the head far from where it started in at most one movement
//! out and one back is a deliberate turn or nod; the rest is restless
//! motion.

use candor_domain::vision::HeadMovement;
use candor_domain::Span;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::spans::SpanTracker;
use super::stats::Running;
use crate::pose::HeadPose;

/// Head movement thresholds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct HeadConfig {
    /// Time constant of the pose smoothing (s).
    pub smoothing_s: f64,
    /// Dead band of the movement measure (degrees): above the jitter of
    /// the smoothed pose of a still, talking head on the generated videos
    /// (raw yaw jitter 0.3° on the astronaut, 1.9° on Grace Hopper; the
    /// `a_still_talking_head_does_not_move` test).
    pub noise_floor_deg: f64,
    /// An episode of motion ends when the pose rests this long (s).
    pub episode_gap_s: f64,
    /// An episode that takes the head at least this far (degrees) from
    /// where it started ...
    pub turn_min_deg: f64,
    /// ... on a path at most this many times that distance (one movement
    /// out and one back is 2) is a deliberate turn or nod (Candor
    /// heuristic).
    pub turn_max_path_ratio: f64,
    /// Restless motion faster than this (°/s, smoothed over
    /// `smoothing_s`) reads as fidgeting (Candor heuristic: deliberate
    /// turns add none; a head swinging 7° each way every 0.8 s, sampled at
    /// 5 frames a second, reads ~7 °/s).
    pub fidget_deg_per_s: f64,
    /// Fidgeting shorter than this is a gesture, not reported.
    pub min_fidget_s: f64,
    /// Face frames further apart than this are not compared (the face was
    /// lost in between).
    pub max_step_s: f64,
}

impl Default for HeadConfig {
    fn default() -> Self {
        HeadConfig {
            smoothing_s: 0.3,
            noise_floor_deg: 2.5,
            episode_gap_s: 0.5,
            turn_min_deg: 8.0,
            turn_max_path_ratio: 2.5,
            fidget_deg_per_s: 6.0,
            min_fidget_s: 2.0,
            max_step_s: 1.0,
        }
    }
}

type Angles = [f64; 3];

fn distance(a: &Angles, b: &Angles) -> f64 {
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).powi(2))
        .sum::<f64>()
        .sqrt()
}

/// One stretch of continuous motion.
#[derive(Debug, Clone, Copy)]
struct Episode {
    start_t: f64,
    last_move_t: f64,
    from: Angles,
    path: f64,
    /// The furthest the head got from `from`.
    reach: f64,
}

impl Episode {
    /// A deliberate turn or nod (so far).
    fn is_turn(&self, config: &HeadConfig) -> bool {
        self.reach >= config.turn_min_deg && self.path <= config.turn_max_path_ratio * self.reach
    }
}

#[derive(Debug)]
pub(crate) struct HeadTracker {
    stats: [Running; 3],
    smoothed: Option<(f64, Angles)>,
    /// The dead-band anchor: follows the smoothed pose at `noise_floor_deg`.
    anchor: Angles,
    episode: Option<Episode>,
    path: f64,
    restless_path: f64,
    face_s: f64,
    restless_speed: f64,
    /// Deliberate turns and nods, the longest 20.
    turns: SpanTracker,
    fidget: SpanTracker,
}

impl HeadTracker {
    pub fn new(config: &HeadConfig) -> Self {
        HeadTracker {
            stats: Default::default(),
            smoothed: None,
            anchor: [0.0; 3],
            episode: None,
            path: 0.0,
            restless_path: 0.0,
            face_s: 0.0,
            restless_speed: 0.0,
            turns: SpanTracker::new(0.0, 0.0, 20),
            fidget: SpanTracker::new(config.min_fidget_s, config.smoothing_s, 20),
        }
    }

    pub fn push(&mut self, config: &HeadConfig, t: f64, pose: Option<HeadPose>) {
        let Some(pose) = pose else {
            self.close_episode(config);
            self.smoothed = None;
            self.fidget.push(t, false);
            return;
        };
        let raw = [pose.yaw, pose.pitch, pose.roll].map(f64::from);
        let (dt, smoothed) = match self.smoothed {
            Some((t0, previous)) if t - t0 <= config.max_step_s && t > t0 => {
                let dt = t - t0;
                let alpha = 1.0 - (-dt / config.smoothing_s).exp();
                (
                    dt,
                    std::array::from_fn(|i| previous[i] + alpha * (raw[i] - previous[i])),
                )
            }
            _ => {
                self.close_episode(config);
                self.anchor = raw;
                (0.0, raw)
            }
        };
        self.smoothed = Some((t, smoothed));
        for (stat, v) in self.stats.iter_mut().zip(smoothed) {
            stat.push(v);
        }
        self.face_s += dt;

        let step = self.dead_band_step(config, &smoothed);
        if step > 0.0 {
            self.path += step;
            let episode = self.episode.get_or_insert(Episode {
                start_t: t - dt,
                last_move_t: t,
                from: self.anchor,
                path: 0.0,
                reach: 0.0,
            });
            episode.path += step;
            episode.reach = episode.reach.max(distance(&episode.from, &self.anchor));
            episode.last_move_t = t;
        } else if self
            .episode
            .is_some_and(|e| t - e.last_move_t >= config.episode_gap_s)
        {
            self.close_episode(config);
        }
        if dt > 0.0 {
            // Restless speed, judged as it happens: motion inside an episode
            // that is not (yet) a turn counts.
            let turning = self.episode.is_some_and(|e| e.is_turn(config));
            let restless_step = if turning { 0.0 } else { step };
            let alpha = 1.0 - (-dt / config.smoothing_s.max(dt)).exp();
            self.restless_speed += alpha * (restless_step / dt - self.restless_speed);
        }
        self.fidget
            .push(t, self.restless_speed > config.fidget_deg_per_s);
    }

    /// Moves the dead-band anchor towards `pose` and returns how far it
    /// moved.
    fn dead_band_step(&mut self, config: &HeadConfig, pose: &Angles) -> f64 {
        let d = distance(pose, &self.anchor);
        if d <= config.noise_floor_deg {
            return 0.0;
        }
        let step = d - config.noise_floor_deg;
        for (anchor, target) in self.anchor.iter_mut().zip(pose) {
            *anchor += (target - *anchor) * step / d;
        }
        step
    }

    fn close_episode(&mut self, config: &HeadConfig) {
        if let Some(e) = self.episode.take() {
            if e.is_turn(config) {
                self.turns.add(Span::new(e.start_t, e.last_move_t));
            } else {
                self.restless_path += e.path;
            }
        }
    }

    pub fn finish(mut self, config: &HeadConfig, end_t: f64) -> HeadMovement {
        self.close_episode(config);
        let per_s = |x: f64| {
            if self.face_s > 0.0 {
                x / self.face_s
            } else {
                0.0
            }
        };
        let [yaw, pitch, roll] = &self.stats;
        HeadMovement {
            yaw_mean: yaw.mean(),
            pitch_mean: pitch.mean(),
            roll_mean: roll.mean(),
            yaw_std: yaw.std(),
            pitch_std: pitch.std(),
            roll_std: roll.std(),
            movement_deg_per_s: per_s(self.path),
            restless_deg_per_s: per_s(self.restless_path),
            noise_floor_deg: config.noise_floor_deg,
            turns: self.turns.finish_in_order(end_t),
            fidget_spans: self.fidget.finish_in_order(end_t),
        }
    }
}
