//! Evidence profile: treatments, concerns, cited outcome curves and risk rules.
