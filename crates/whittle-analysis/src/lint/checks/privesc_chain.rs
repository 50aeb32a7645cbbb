//! `privesc-chain`: a user or role of an account export that can become an
//! administrator or an escalating principal through a chain of hops (the graph
//! of [`crate::lint::graph`]). A policy document on its own shows no chain.

use crate::lint::{ChainContext, Check, Emitter, PolicyContext};

/// See the module documentation.
pub struct PrivescChain;

impl Check for PrivescChain {
    fn check(&self, _cx: &PolicyContext<'_>, _out: &mut Emitter<'_>) {
        // Chains run between principals: only an account export has them.
    }

    fn check_chain(&self, cx: &ChainContext<'_>, out: &mut Emitter<'_>) {
        let chain = cx.chain;
        let (Some(first), Some(last)) = (chain.path.first(), chain.path.last()) else {
            return;
        };
        let hops = chain.path.len() - 1;
        let mut finding = out.at(cx.span);
        for step in &chain.steps {
            finding = finding.step(step.clone());
        }
        for related in &chain.related {
            finding = finding.related(related.clone());
        }
        finding = finding.note(format!("via {}", chain.path.join(" → ")));
        for condition in &chain.conditions {
            finding = finding.note(condition.clone());
        }
        if chain.truncated {
            finding = finding.note(
                "the account is large: the search for chains stopped early, so other chains may exist",
            );
        }
        finding.emit(format!(
            "{first} can become {last}, which is {}, in {hops} hop{}",
            chain.danger.describe(),
            if hops == 1 { "" } else { "s" }
        ));
    }
}
