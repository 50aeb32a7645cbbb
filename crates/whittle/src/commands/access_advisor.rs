//! `whittle access-advisor`: the AWS CLI's last-accessed operations, for parity
//! (`generate-service-last-accessed-details` and friends), with every page merged.

use std::time::Duration;

use whittle_fetcher::jobs;
use whittle_fetcher::{Granularity, JobOptions};

use crate::commands::fetch::{client, runtime};
use crate::{AccessAdvisorCommand, GranularityArg, OutputFormat, exit, output};

/// Runs one `whittle access-advisor` subcommand.
pub fn run(command: &AccessAdvisorCommand) -> anyhow::Result<u8> {
    runtime()?.block_on(async {
        match command {
            AccessAdvisorCommand::Generate {
                arn,
                granularity,
                aws,
            } => {
                let iam = client(aws).await?;
                let granularity = match granularity {
                    GranularityArg::ServiceLevel => Granularity::ServiceLevel,
                    GranularityArg::ActionLevel => Granularity::ActionLevel,
                };
                let job_id = jobs::generate(&iam.client, arn, granularity).await?;
                print_text(&whittle_reporter::job_started_json(&job_id))
            }
            AccessAdvisorCommand::Get {
                job_id,
                wait,
                job_timeout,
                output: format,
                aws,
            } => {
                let iam = client(aws).await?;
                let details = if *wait {
                    let options = JobOptions {
                        job_timeout: Duration::from_secs_f64(*job_timeout),
                        ..JobOptions::default()
                    };
                    jobs::wait(&iam.client, job_id, &options).await?.0
                } else {
                    jobs::get(&iam.client, job_id).await?.0
                };
                match format {
                    OutputFormat::Json => {
                        print_text(&whittle_reporter::last_accessed_json(&details))
                    }
                    OutputFormat::Table => {
                        print_text(&whittle_reporter::last_accessed_table(&details, width()))
                    }
                }
            }
            AccessAdvisorCommand::GetWithEntities {
                job_id,
                service_namespace,
                output: format,
                aws,
            } => {
                let iam = client(aws).await?;
                let (details, _) =
                    jobs::get_with_entities(&iam.client, job_id, service_namespace).await?;
                match format {
                    OutputFormat::Json => print_text(&whittle_reporter::entities_json(&details)),
                    OutputFormat::Table => {
                        print_text(&whittle_reporter::entities_table(&details, width()))
                    }
                }
            }
        }
    })
}

/// The terminal's width, or the default for logs and files.
fn width() -> u16 {
    whittle_reporter::terminal_width().unwrap_or(whittle_reporter::DEFAULT_WIDTH)
}

fn print_text(text: &str) -> anyhow::Result<u8> {
    output::write(None, text)?;
    Ok(exit::OK)
}
