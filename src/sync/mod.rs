//! Runs the app's effects on tokio tasks and answers with actions. The one place where
//! mutating calls leave the process, so read-only mode is enforced here, whatever asked.

use crate::api::{ApiError, OperationsClient};
use crate::app::{Action, Effect};
use std::sync::Arc;
use tokio::sync::{Semaphore, mpsc};

/// Page size for refreshes: one round trip per location where the server allows it.
pub const PAGE_SIZE: u32 = 1000;
/// Requests in flight at once, across all locations.
pub const CONCURRENCY: usize = 8;

#[derive(Clone)]
pub struct Runner {
    client: OperationsClient,
    tx: mpsc::UnboundedSender<Action>,
    limit: Arc<Semaphore>,
    read_only: bool,
}

impl Runner {
    pub fn new(
        client: OperationsClient,
        tx: mpsc::UnboundedSender<Action>,
        read_only: bool,
    ) -> Runner {
        Runner {
            client,
            tx,
            limit: Arc::new(Semaphore::new(CONCURRENCY)),
            read_only,
        }
    }

    pub fn run(&self, effect: Effect) {
        let Runner {
            client,
            tx,
            limit,
            read_only,
        } = self.clone();
        match effect {
            Effect::Quit => {}
            Effect::Discover { project } => {
                tokio::spawn(async move {
                    let result = {
                        let _permit = limit.acquire().await;
                        client.list_locations(&project).await
                    };
                    let result = result.map(|locs| {
                        locs.into_iter()
                            .map(|l| {
                                if l.location_id.is_empty() {
                                    l.name.rsplit('/').next().unwrap_or_default().to_string()
                                } else {
                                    l.location_id
                                }
                            })
                            .collect()
                    });
                    let _ = tx.send(Action::Discovered { project, result });
                });
            }
            Effect::Refresh { location } => {
                tokio::spawn(async move {
                    let _permit = limit.acquire().await;
                    let result = client.list_all(&location, "", PAGE_SIZE).await;
                    let _ = tx.send(Action::Loaded { location, result });
                });
            }
            Effect::Get { name } => {
                tokio::spawn(async move {
                    let _permit = limit.acquire().await;
                    let result = client.get(&name).await;
                    let _ = tx.send(Action::Got {
                        name: name.to_string(),
                        result,
                    });
                });
            }
            Effect::Cancel { name } => {
                if read_only {
                    let _ = tx.send(Action::CancelSent {
                        name: name.to_string(),
                        result: Err(ApiError::Refused(
                            "read-only mode: nothing is cancelled".into(),
                        )),
                    });
                    return;
                }
                tokio::spawn(async move {
                    let _permit = limit.acquire().await;
                    let result = client.cancel(&name).await;
                    let _ = tx.send(Action::CancelSent {
                        name: name.to_string(),
                        result,
                    });
                });
            }
        }
    }
}
