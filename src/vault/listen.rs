//! What the vault and its identity endpoint share to serve on a socket: binding (port 0 picks
//! a free port, known before serving) and a handle that stops the server when dropped.

use std::net::{SocketAddr, TcpListener};

use axum_server::Handle;

/// Binds `addr`, non-blocking as axum-server wants it; the listener and the address it got.
pub(crate) fn bind(addr: SocketAddr) -> std::io::Result<(TcpListener, SocketAddr)> {
    let listener = TcpListener::bind(addr)?;
    listener.set_nonblocking(true)?;
    let local = listener.local_addr()?;
    Ok((listener, local))
}

/// A server's handle; dropping it stops the server at once.
pub(crate) struct StopOnDrop(pub(crate) Handle<SocketAddr>);

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        self.0.shutdown();
    }
}
