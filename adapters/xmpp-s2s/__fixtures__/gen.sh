#!/bin/sh
# Regenerates the lab test PKI (test-only; never use these keys elsewhere).
# A lab CA signs leaf certificates for gw.test, peer.test and wrong.test with
# DNS-ID + SRV-ID (_xmpp-server.<domain>, RFC 6120 §13.7.1.2) and no xmppAddr
# (ejabberd 23.01 crashes on xmppAddr, notes/xmpp-peers.md). "rogue" is a second
# CA that the tests do not trust; it signs a peer.test certificate.
set -e
cd "$(dirname "$0")"
days=36500
mkca() {
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$1-ca.key" -out "$1-ca.pem" \
    -days $days -subj "/CN=$1 lab CA" -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null
}
leaf() { # name domain ca
  cat > "$1.ext" <<EXT
basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth,clientAuth
subjectAltName=DNS:$2,otherName:1.3.6.1.5.5.7.8.7;IA5STRING:_xmpp-server.$2
EXT
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$1.key" -out "$1.csr" -subj "/CN=$2" 2>/dev/null
  openssl x509 -req -in "$1.csr" -CA "$3-ca.pem" -CAkey "$3-ca.key" -CAcreateserial -out "$1.pem" -days $days -extfile "$1.ext" 2>/dev/null
  rm -f "$1.csr" "$1.ext"
}
mkca lab
mkca rogue
leaf gw gw.test lab
leaf peer peer.test lab
leaf wrong wrong.test lab
leaf rogue-peer peer.test rogue
rm -f ./*.srl lab-ca.key rogue-ca.key
