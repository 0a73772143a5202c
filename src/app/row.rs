//! One operation as the dashboard holds it: the server's view plus our cancel bookkeeping.

use crate::api::time::Stamp;
use crate::api::{Operation, Outcome};
use jiff::Timestamp;

/// What the dashboard shows in the STATE column. Ordered for sorting: what needs attention
/// first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RowState {
    CancelRefused,
    Cancelling,
    Running,
    Failed,
    Cancelled,
    /// Finished successfully although a cancel was requested.
    DoneCancelIgnored,
    Done,
}

impl RowState {
    pub const ALL: [RowState; 7] = [
        RowState::Running,
        RowState::Cancelling,
        RowState::CancelRefused,
        RowState::Cancelled,
        RowState::Done,
        RowState::DoneCancelIgnored,
        RowState::Failed,
    ];

    pub fn word(self) -> &'static str {
        match self {
            RowState::Running => "RUNNING",
            RowState::Cancelling => "CANCELLING",
            RowState::CancelRefused => "CANCEL REFUSED",
            RowState::Failed => "FAILED",
            RowState::Cancelled => "CANCELLED",
            RowState::DoneCancelIgnored | RowState::Done => "DONE",
        }
    }

    /// One cell wide in every terminal we know of, so columns stay aligned.
    pub fn glyph(self) -> &'static str {
        match self {
            RowState::Running => "⟳",
            RowState::Cancelling => "⊘",
            RowState::CancelRefused => "!",
            RowState::Failed => "✖",
            RowState::Cancelled => "⊗",
            RowState::DoneCancelIgnored | RowState::Done => "✔",
        }
    }

    /// The state of an operation as the server alone tells it (no cancel of ours known).
    pub fn of(outcome: Outcome) -> RowState {
        match outcome {
            Outcome::Running => RowState::Running,
            Outcome::Succeeded => RowState::Done,
            Outcome::Cancelled => RowState::Cancelled,
            Outcome::Failed => RowState::Failed,
        }
    }

    /// Still running on the server.
    pub fn is_active(self) -> bool {
        matches!(
            self,
            RowState::Running | RowState::Cancelling | RowState::CancelRefused
        )
    }
}

/// Where a cancel we sent stands. Nearly every row has none, so what the others need is
/// boxed: the row stays small.
#[derive(Clone, Debug, PartialEq)]
pub enum CancelTrack {
    None,
    /// Sent, no answer yet.
    Sending,
    /// Accepted; polled with `get` until done (or until `until`, when we stop hurrying).
    Pending(Box<PendingCancel>),
    /// The server said no (UNIMPLEMENTED, PERMISSION_DENIED, …).
    Refused(Box<Refusal>),
    /// Accepted earlier and now finished: remembered for "cancel ignored".
    Settled,
}

#[derive(Clone, Debug, PartialEq)]
pub struct PendingCancel {
    /// When our cancel was accepted: what "cancel requested 2m ago" counts from.
    pub asked: Timestamp,
    pub next_poll: Timestamp,
    pub until: Timestamp,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Refusal {
    pub code: String,
    pub message: String,
}

impl CancelTrack {
    pub fn pending(asked: Timestamp, next_poll: Timestamp, until: Timestamp) -> CancelTrack {
        CancelTrack::Pending(Box::new(PendingCancel {
            asked,
            next_poll,
            until,
        }))
    }

    pub fn refused(code: impl Into<String>, message: impl Into<String>) -> CancelTrack {
        CancelTrack::Refused(Box::new(Refusal {
            code: code.into(),
            message: message.into(),
        }))
    }
}

/// One operation as held: 100k of them are held at once, so every field counts.
#[derive(Clone, Debug)]
pub struct Row {
    pub op: Operation,
    /// Index into `App::targets`.
    pub target: usize,
    pub state: RowState,
    pub cancel: CancelTrack,
    /// When the state last changed after the first load (the row is emphasised for a while).
    pub changed_at: Stamp,
    /// When the row appeared, if after its location's first load.
    pub new_at: Stamp,
    /// The refresh of its location that last saw it (`Target::epoch`).
    pub seen: u32,
}

impl Row {
    pub fn new(op: Operation, target: usize) -> Row {
        let mut r = Row {
            op,
            target,
            state: RowState::Running,
            cancel: CancelTrack::None,
            changed_at: Stamp::NONE,
            new_at: Stamp::NONE,
            seen: 0,
        };
        r.state = r.derive_state();
        r
    }

    pub fn derive_state(&self) -> RowState {
        let asked = self.op.requested_cancellation()
            || matches!(
                self.cancel,
                CancelTrack::Sending | CancelTrack::Pending(_) | CancelTrack::Settled
            );
        match self.op.outcome() {
            Outcome::Cancelled => RowState::Cancelled,
            Outcome::Failed => RowState::Failed,
            Outcome::Succeeded if asked => RowState::DoneCancelIgnored,
            Outcome::Succeeded => RowState::Done,
            Outcome::Running => match self.cancel {
                CancelTrack::Refused(_) => RowState::CancelRefused,
                _ if asked => RowState::Cancelling,
                _ => RowState::Running,
            },
        }
    }

    /// Takes a fresher copy of the operation; returns whether the shown state changed.
    pub fn replace(&mut self, op: Operation, now: Timestamp) -> bool {
        self.op = op;
        if self.op.done && matches!(self.cancel, CancelTrack::Sending | CancelTrack::Pending(_)) {
            self.cancel = CancelTrack::Settled;
        }
        self.restate(now)
    }

    /// Re-derives the state; a change is emphasised.
    pub fn restate(&mut self, now: Timestamp) -> bool {
        let state = self.derive_state();
        if state != self.state {
            self.state = state;
            self.changed_at = now.into();
            true
        } else {
            false
        }
    }

    /// A note for the details pane and the status line.
    pub fn note(&self) -> Option<String> {
        match (&self.cancel, self.state) {
            (CancelTrack::Refused(r), _) => {
                Some(format!("cancel refused: {}: {}", r.code, r.message))
            }
            (_, RowState::DoneCancelIgnored) => {
                Some("cancel ignored: the operation finished anyway".into())
            }
            (CancelTrack::Pending(_) | CancelTrack::Sending, _) => {
                Some("cancel requested: waiting for the server".into())
            }
            // Asked elsewhere (or before this dashboard started): the server does not say when.
            (_, RowState::Cancelling) => {
                Some("cancel requested (not from here; the server does not say when)".into())
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{Code, Metadata, OperationMetadata, Status};

    fn op(done: bool, error: Option<Code>, requested: bool) -> Operation {
        Operation {
            name: "projects/p/locations/l/operations/o".into(),
            metadata: Some(Metadata::Known(OperationMetadata {
                requested_cancellation: requested,
                ..Default::default()
            })),
            done,
            error: error.map(|c| Box::new(Status::new(c, "m"))),
            response: None,
        }
    }

    #[test]
    fn states_from_the_operation_and_our_cancel() {
        assert_eq!(Row::new(op(false, None, false), 0).state, RowState::Running);
        assert_eq!(
            Row::new(op(false, None, true), 0).state,
            RowState::Cancelling
        );
        assert_eq!(
            Row::new(op(true, Some(Code::Cancelled), true), 0).state,
            RowState::Cancelled
        );
        assert_eq!(
            Row::new(op(true, Some(Code::Internal), false), 0).state,
            RowState::Failed
        );
        assert_eq!(Row::new(op(true, None, false), 0).state, RowState::Done);
        assert_eq!(
            Row::new(op(true, None, true), 0).state,
            RowState::DoneCancelIgnored
        );
        let mut r = Row::new(op(false, None, false), 0);
        r.cancel = CancelTrack::refused("UNIMPLEMENTED", "no");
        assert_eq!(r.derive_state(), RowState::CancelRefused);
        r.cancel = CancelTrack::Sending;
        assert_eq!(r.derive_state(), RowState::Cancelling);
        let now = Timestamp::UNIX_EPOCH;
        assert!(r.restate(now));
        assert_eq!(r.changed_at.get(), Some(now));
        assert!(r.replace(op(true, None, false), now));
        assert_eq!(
            r.state,
            RowState::DoneCancelIgnored,
            "we asked, it finished anyway"
        );
        assert_eq!(r.cancel, CancelTrack::Settled);
    }
}
