//! Live validation: asks each credential's provider whether it still works, what it reaches, and
//! revokes it where the provider lets its holder do that. Feature `live`; nothing here runs unless asked.

pub(crate) mod builtin;
pub(crate) mod request;
