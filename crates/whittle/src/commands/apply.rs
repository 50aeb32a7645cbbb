//! `whittle apply PLAN` and `whittle rollback PLAN`: run or undo a
//! `whittle.plan/v1` plan through the fetcher's executor; without `--yes`,
//! print what would run and change nothing; with `--shell DIR`, write the
//! plan's shell form (documents, apply.sh and rollback.sh) instead.

use std::path::Path;

use anyhow::Context;
use whittle_fetcher::apply::{ApplyError, ApplyOptions, Progress};
use whittle_model::{Journal, Plan, Step, journal_path};

use crate::{ApplyArgs, PlanArgs, exit, output};

/// Runs `whittle apply`.
pub fn apply(args: &ApplyArgs) -> anyhow::Result<u8> {
    if let Some(dir) = &args.shell {
        return Ok(match write_shell(&Plan::read(&args.plan.plan)?, dir)? {
            Some(written) => {
                output::write(None, &written)?;
                exit::OK
            }
            None => exit::ERROR,
        });
    }
    let args = &args.plan;
    let (plan, journal) = read(&args.plan)?;
    if !args.yes {
        let pending: Vec<&Step> = (plan.steps.iter())
            .filter(|s| !journal.is_applied(&s.id))
            .collect();
        let mut text = header(&plan, &args.plan);
        for step in &plan.steps {
            let done = journal.is_applied(&step.id);
            text.push_str(&describe(step, if done { " (applied)" } else { "" }));
        }
        text.push_str(&match pending.len() {
            0 => "nothing to apply\n".to_owned(),
            n => format!("{n} steps to apply; nothing was changed: run again with --yes\n"),
        });
        output::write(None, &text)?;
        return Ok(exit::OK);
    }
    run(args, &plan, Verb::Apply)
}

/// Runs `whittle rollback`.
pub fn rollback(args: &PlanArgs) -> anyhow::Result<u8> {
    let (plan, journal) = read(&args.plan)?;
    if !args.yes {
        let applied: Vec<&Step> = (plan.steps.iter().rev())
            .filter(|s| journal.is_applied(&s.id))
            .collect();
        let mut text = header(&plan, &args.plan);
        for step in &applied {
            text.push_str(&describe(step, " (to undo)"));
        }
        text.push_str(&match applied.len() {
            0 => "nothing to roll back\n".to_owned(),
            n => format!("{n} steps to roll back; nothing was changed: run again with --yes\n"),
        });
        output::write(None, &text)?;
        return Ok(exit::OK);
    }
    run(args, &plan, Verb::Rollback)
}

/// Writes the shell form of `plan` into `dir` and says what it wrote, unless `dir` holds files of
/// another plan (or other files): two plans never overwrite each other.
pub(crate) fn write_shell(plan: &Plan, dir: &Path) -> anyhow::Result<Option<String>> {
    let marker = dir.join(whittle_reporter::PLAN_MARKER);
    let sha256 = plan.sha256();
    match std::fs::read_to_string(&marker) {
        Ok(found) if found.trim() == sha256 => {}
        Ok(found) => {
            eprintln!(
                "error: {} holds the shell form of another plan (plan sha256 {}, this plan's is {sha256}); choose another directory",
                dir.display(),
                found.trim()
            );
            return Ok(None);
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let mut entries = match std::fs::read_dir(dir) {
                Ok(entries) => Some(entries),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
                Err(e) => return Err(e).with_context(|| format!("cannot read {}", dir.display())),
            };
            if entries.as_mut().is_some_and(|e| e.next().is_some()) {
                eprintln!(
                    "error: {} is not empty and holds no {}; choose an empty or new directory",
                    dir.display(),
                    whittle_reporter::PLAN_MARKER
                );
                return Ok(None);
            }
        }
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", marker.display())),
    }
    // The marker first: it claims the directory for this plan.
    let mut files = whittle_reporter::plan_shell(plan);
    files.sort_by_key(|f| f.path != whittle_reporter::PLAN_MARKER);
    for file in &files {
        let path = dir.join(&file.path);
        output::write_atomically(&path, file.contents.as_bytes())?;
        if file.executable {
            make_executable(&path)?;
        }
    }
    Ok(Some(format!(
        "wrote {} files into {dir}: run {dir}/apply.sh to apply the plan's {} steps with the AWS CLI, {dir}/rollback.sh to undo them\n",
        files.len(),
        plan.steps.len(),
        dir = dir.display()
    )))
}

#[cfg(unix)]
fn make_executable(path: &Path) -> anyhow::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755))
        .with_context(|| format!("cannot make {} executable", path.display()))
}

#[cfg(not(unix))]
fn make_executable(_: &Path) -> anyhow::Result<()> {
    Ok(())
}

#[derive(Clone, Copy)]
enum Verb {
    Apply,
    Rollback,
}

fn read(path: &Path) -> anyhow::Result<(Plan, Journal)> {
    let plan = Plan::read(path)?;
    let journal = Journal::read_for(&journal_path(path), &plan)?;
    Ok((plan, journal))
}

/// Runs the executor and reports what it did; exit 4 when IAM changed.
fn run(args: &PlanArgs, plan: &Plan, verb: Verb) -> anyhow::Result<u8> {
    let journal = journal_path(&args.plan);
    let options = ApplyOptions {
        stop_after: args.stop_after,
    };
    let result = super::fetch::runtime()?.block_on(async {
        let iam = super::fetch::client(&args.aws).await?;
        anyhow::Ok(match verb {
            Verb::Apply => whittle_fetcher::apply::apply(&iam, plan, &journal, &options).await,
            Verb::Rollback => {
                whittle_fetcher::apply::rollback(&iam, plan, &journal, &options).await
            }
        })
    })?;
    match result {
        Ok(progress) => {
            output::write(None, &summary(plan, &progress, verb))?;
            Ok(exit::OK)
        }
        Err(error @ ApplyError::Changed { .. }) => {
            eprintln!(
                "error: {error}\nnothing more was changed; the journal {} lists the steps done",
                journal.display()
            );
            Ok(exit::CHANGED)
        }
        Err(error) => Err(error).with_context(|| {
            format!(
                "{} stopped; the journal {} lists the steps done",
                args.plan.display(),
                journal.display()
            )
        }),
    }
}

fn header(plan: &Plan, path: &Path) -> String {
    let from = match &plan.snapshot {
        Some(s) => format!(
            " from the snapshot of account {} fetched at {}",
            s.account_id.as_deref().unwrap_or("(unknown)"),
            s.fetched_at
        ),
        None => String::new(),
    };
    format!(
        "{}: {} steps, made at {} by {} {}{from}\n",
        path.display(),
        plan.steps.len(),
        plan.created_at,
        plan.tool.name,
        plan.tool.version
    )
}

/// A step in words with each of its expectations.
fn describe(step: &Step, state: &str) -> String {
    let mut text = format!("step {}{state}: {}\n", step.id, step.description);
    for expectation in &step.expect {
        text.push_str(&format!("  expects: {expectation}\n"));
    }
    text
}

fn summary(plan: &Plan, progress: &Progress, verb: Verb) -> String {
    let (done, skipped) = match verb {
        Verb::Apply => ("applied", "already applied"),
        Verb::Rollback => ("rolled back", "not applied"),
    };
    // Steps found applied are then rolled back, and counted as such.
    let found = match verb {
        Verb::Apply => progress.found_applied.len(),
        Verb::Rollback => 0,
    };
    let mut text = String::new();
    for id in &progress.done {
        let description = (plan.steps.iter().find(|s| &s.id == id)).map_or("", |s| &s.description);
        text.push_str(&format!("{done} step {id}: {description}\n"));
    }
    for id in &progress.found_applied {
        text.push_str(&format!(
            "step {id} was {}\n",
            whittle_fetcher::apply::FOUND_APPLIED
        ));
    }
    for id in &progress.already_undone {
        text.push_str(&format!("step {id} was already undone in IAM\n"));
    }
    text.push_str(&format!(
        "{} steps {done}, {} {skipped}{}\n",
        progress.done.len() + progress.already_undone.len() + found,
        progress.skipped.len(),
        if progress.stopped {
            "; stopped early (--stop-after)"
        } else {
            ""
        }
    ));
    text
}
