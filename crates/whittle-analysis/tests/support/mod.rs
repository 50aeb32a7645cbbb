//! Shared by the recommender tests.

pub mod account;
