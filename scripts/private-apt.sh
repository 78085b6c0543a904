# Sourced by scripts that fetch Debian packages without installing them: `private_apt DIR ARCH
# STATUS SOURCE_LINE...` writes an apt configuration under DIR (its own lists, cache and
# sources, none of the system's) and runs `apt-get update` with it; then
# `APT_CONFIG=DIR/apt.conf apt-get download …` fetches .debs. STATUS is the dpkg status apt
# resolves against (/dev/null: as if nothing were installed).
private_apt() {
  local apt=$1 arch=$2 status=$3
  shift 3
  mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial" "$apt/sources.list.d"
  printf '%s\n' "$@" >"$apt/sources.list"
  cat >"$apt/apt.conf" <<CONF
Dir::Etc::SourceList "$apt/sources.list";
Dir::Etc::SourceParts "$apt/sources.list.d";
Dir::Etc::Preferences "/dev/null";
Dir::Etc::PreferencesParts "$apt/sources.list.d";
Dir::State::Lists "$apt/lists";
Dir::Cache "$apt/cache";
Dir::State::Status "$status";
APT::Architecture "$arch";
APT::Architectures { "$arch"; };
APT::Sandbox::User "root";
CONF
  APT_CONFIG=$apt/apt.conf apt-get update -qq
}

DEBIAN_KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
