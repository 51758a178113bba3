//! The reference vault: an emulator of the Key Vault certificates API.
