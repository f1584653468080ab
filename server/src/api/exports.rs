//! A list as a file, read a page at a time with the screen's filters and permissions: the
//! caller's work lists, or the instances behind a report's figure.

use axum::body::Body;
use axum::response::Response;
use kexie_engine::definition::Group;
use kexie_engine::text::Lang;

use crate::error::ApiError;
use crate::export::{self, Kind, Sheet};
use crate::state::AppState;
use crate::store::{List, Page, Scope};

/// Rows read per query while exporting (their states are in memory at once: a few MB).
const PAGE: i64 = 2000;

/// Where a list's rows come from.
pub enum Source {
    /// One of the caller's work lists.
    Work(List, String),
    /// The instances behind a report's figure.
    Behind(Box<Scope>, Vec<Group>, Vec<Option<String>>),
}

impl Source {
    async fn page(&self, state: &AppState, n: i64) -> Result<Page, ApiError> {
        Ok(match self {
            Source::Work(list, user) => state.store.list(*list, user, n, PAGE).await?,
            Source::Behind(scope, groups, keys) => state.store.behind(scope, groups, keys, n, PAGE).await?,
        })
    }
}

/// The list as a CSV streamed while it is read, or as a workbook.
pub async fn list(state: AppState, kind: Kind, lang: Lang, name: String, source: Source) -> Result<Response, ApiError> {
    let mut sheet = Sheet::new(kind, export::list_columns(lang))?;
    if kind == Kind::Xlsx {
        for n in 1.. {
            let page = source.page(&state, n).await?;
            for row in super::lists::rows(&state, page.items).await? {
                sheet.row(&export::list_cells(&row, lang))?;
            }
            if n * PAGE >= page.total {
                break;
            }
        }
        return Ok(export::attachment(kind, &name, Body::from(sheet.workbook()?)));
    }
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<String, ApiError>>(4);
    let head = sheet.csv_head();
    tokio::spawn(async move {
        let _ = tx.send(Ok(head)).await;
        for n in 1.. {
            let chunk = async {
                let page = source.page(&state, n).await?;
                let mut text = String::new();
                for row in super::lists::rows(&state, page.items).await? {
                    text.push_str(&sheet.row(&export::list_cells(&row, lang))?);
                }
                Ok::<_, ApiError>((text, n * PAGE >= page.total))
            };
            match chunk.await {
                Ok((text, last)) => {
                    if tx.send(Ok(text)).await.is_err() || last {
                        break; // the client left, or that was all
                    }
                }
                Err(e) => {
                    let _ = tx.send(Err(e)).await; // ends the response short: the client sees it fail
                    break;
                }
            }
        }
    });
    // Fused: the compression layer may poll again after the end.
    let stream = futures_util::StreamExt::fuse(futures_util::stream::unfold(rx, |mut rx| async move {
        let next = rx.recv().await?;
        Some((next.map_err(|e| std::io::Error::other(format!("{:?}", e.message))), rx))
    }));
    Ok(export::attachment(kind, &name, Body::from_stream(stream)))
}
