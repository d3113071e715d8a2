#!/usr/bin/env bash
# `make deb`: wrap the onedir bundle (dist/nmdesk/) in dist/nmdesk_<version>_<arch>.deb.
# The package owns /opt/nmdesk, /usr/bin/nmdesk, the menu entry, icons and MIME type;
# removing it removes only those (registers live in the users' own data folders).
set -euo pipefail
cd "$(dirname "$0")/.."
BUNDLE=dist/nmdesk
[ -x "$BUNDLE/nmdesk" ] || { echo "no bundle at $BUNDLE: run make dist first" >&2; exit 1; }
VERSION=$(.venv/bin/python -c 'import nmdesk; print(nmdesk.__version__)')
ARCH=$(dpkg --print-architecture)
ROOT=build/deb/nmdesk
rm -rf "$ROOT"
mkdir -p "$ROOT/DEBIAN" "$ROOT/opt" "$ROOT/usr/bin" "$ROOT/usr/share/applications" \
  "$ROOT/usr/share/mime/packages" "$ROOT/usr/share/doc/nmdesk"
cp -a "$BUNDLE" "$ROOT/opt/nmdesk"
ln -s /opt/nmdesk/nmdesk "$ROOT/usr/bin/nmdesk"
install -m 644 packaging/deb/nmdesk.desktop "$ROOT/usr/share/applications/nmdesk.desktop"
install -m 644 packaging/deb/nmdesk-mime.xml "$ROOT/usr/share/mime/packages/nmdesk.xml"
for size in 16 24 32 48 64 128 256; do
  dir="$ROOT/usr/share/icons/hicolor/${size}x${size}/apps"
  mkdir -p "$dir"
  install -m 644 "resources/icons/nmdesk-$size.png" "$dir/nmdesk.png"
done
mkdir -p "$ROOT/usr/share/icons/hicolor/scalable/apps"
install -m 644 resources/icons/nmdesk.svg "$ROOT/usr/share/icons/hicolor/scalable/apps/nmdesk.svg"
install -m 644 resources/licenses/* "$ROOT/usr/share/doc/nmdesk/" 2>/dev/null || true
install -m 755 packaging/deb/postinst packaging/deb/postrm "$ROOT/DEBIAN/"
SIZE_KB=$(du -sk "$ROOT" | cut -f1)
cat > "$ROOT/DEBIAN/control" <<CONTROL
Package: nmdesk
Version: $VERSION
Architecture: $ARCH
Maintainer: nmdesk <nmdesk@localhost>
Installed-Size: $SIZE_KB
Depends: libc6, libfontconfig1, libxkbcommon0, libegl1, libgl1
Recommends: shared-mime-info, desktop-file-utils, fonts-noto-color-emoji
Section: misc
Priority: optional
Description: 新媒体账号备案管理台 — new-media account register
 A desktop register of a university's new-media public accounts: filings,
 annual review, printed forms and Excel ledgers, in one SQLite file.
CONTROL
mkdir -p dist
dpkg-deb --root-owner-group -Zgzip -z6 --build "$ROOT" "dist/nmdesk_${VERSION}_${ARCH}.deb"
ls -l dist/nmdesk_*.deb
