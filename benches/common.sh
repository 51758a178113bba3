# Shared by the bench scripts (sourced, not run).

# hyperfine, installed from Debian when missing and run as root; otherwise SKIPPED, exit 0.
need_hyperfine() {
  if ! command -v hyperfine >/dev/null; then
    if [ "$(id -u)" = 0 ]; then apt-get install -y -q hyperfine >/dev/null; else
      echo "SKIPPED: hyperfine missing (apt-get install hyperfine)"; exit 0; fi
  fi
}
