#!/bin/sh
# Regenerates the seed corpora from fresh openssl / ssh-keygen output.
# Usage: sh seeds.sh   (from crates/coffer-certs/fuzz)
set -eu
here=$(pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
q() { "$@" >/dev/null 2>&1; }

q openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out root.key
q openssl req -x509 -new -key root.key -subj "/O=Fuzz/CN=Fuzz Root" -days 3650 -out root.pem
q openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out leaf.key
q openssl req -new -key leaf.key -subj "/CN=fuzz.example" -out leaf.csr
printf 'subjectAltName=DNS:fuzz.example,IP:192.0.2.1\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\nbasicConstraints=CA:false\n' > ext
q openssl x509 -req -in leaf.csr -CA root.pem -CAkey root.key -days 365 -extfile ext -set_serial 7 -out leaf.pem
q openssl x509 -in leaf.pem -outform DER -out leaf.der
q openssl genpkey -algorithm ed25519 -out ed.key
q openssl rsa -in leaf.key -traditional -out pkcs1.pem
q openssl ec -in root.key -outform DER -out sec1.der
q openssl pkcs8 -topk8 -in root.key -out pbkdf2.pem -passout pass:pw -iter 100
q openssl pkcs8 -topk8 -in root.key -outform DER -out scrypt.der -passout pass:pw -scrypt -scrypt_N 1024 -scrypt_r 8 -scrypt_p 1
q openssl pkcs8 -topk8 -in root.key -out pbe3des.pem -passout pass:pw -v1 PBE-SHA1-3DES -iter 100
q openssl pkcs12 -export -legacy -in leaf.pem -inkey leaf.key -certfile root.pem -out legacy.p12 -passout pass:pw -iter 100
q openssl pkcs12 -export -in leaf.pem -inkey leaf.key -certfile root.pem -out modern.p12 -passout pass:pw -iter 100 -maciter
q openssl pkcs12 -export -in root.pem -inkey root.key -out empty.p12 -passout pass: -iter 100
q openssl pkcs12 -export -nokeys -in root.pem -out certs.p12 -passout pass:pw -certpbe NONE
q ssh-keygen -q -t ed25519 -N '' -C fuzz -f id_ed25519
q ssh-keygen -q -t ecdsa -b 384 -N '' -C fuzz -f id_ecdsa
q ssh-keygen -q -t rsa -b 2048 -N '' -C fuzz -f id_rsa
q ssh-keygen -q -t ed25519 -a 2 -N pw -C fuzz -f id_enc
# The BER that Windows, Java and macOS write: indefinite lengths, chunked OCTET STRINGs.
python3 - modern.p12 ber.p12 <<'PY'
import sys
def tlv(b):
    n = b[1]; h = 2
    if n >= 0x80:
        c = n & 0x7f; n = int.from_bytes(b[2:2 + c], "big"); h = 2 + c
    return b[0], b[h:h + n], b[h + n:]
def ber(b):
    out = b""
    while b:
        t, c, b = tlv(b)
        if t == 0x04:
            out += b"\x24\x80" + b"".join(b"\x04" + bytes([len(c[i:i + 16])]) + c[i:i + 16] for i in range(0, len(c), 16)) + b"\0\0"
        elif t & 0x20:
            out += bytes([t, 0x80]) + ber(c) + b"\0\0"
        else:
            out += bytes([t]) + (bytes([len(c)]) if len(c) < 0x80 else b"\x84" + len(c).to_bytes(4, "big")) + c
    return out
open(sys.argv[2], "wb").write(ber(open(sys.argv[1], "rb").read()))
PY
# PKCS#7 bundles: PEM, DER, BER (indefinite lengths, as Windows writes), and one with a CRL only.
q openssl crl2pkcs7 -nocrl -certfile leaf.pem -certfile root.pem -out chain.p7b
q openssl pkcs7 -in chain.p7b -outform DER -out chain.p7c
python3 - chain.p7c chain-ber.p7c <<'PY'
import sys
def tlv(b):
    n = b[1]; h = 2
    if n >= 0x80:
        c = n & 0x7f; n = int.from_bytes(b[2:2 + c], "big"); h = 2 + c
    return b[0], b[h:h + n], b[h + n:]
def ber(b):
    out = b""
    while b:
        t, c, b = tlv(b)
        if t & 0x20:
            out += bytes([t, 0x80]) + ber(c) + b"\0\0"
        else:
            out += bytes([t]) + (bytes([len(c)]) if len(c) < 0x80 else b"\x84" + len(c).to_bytes(4, "big")) + c
    return out
t, c, _ = tlv(open(sys.argv[1], "rb").read())
# Only the outer layers: certificates stay DER, as real BER bundles have them.
oid_t, oid, rest = tlv(c)
open(sys.argv[2], "wb").write(b"\x30\x80" + bytes([oid_t, len(oid)]) + oid + b"\xa0\x80" + rest[2 + (rest[1] & 0x7f if rest[1] & 0x80 else 0):] + b"\0\0\0\0")
PY
printf '[ca]\ndefault_ca=d\n[d]\ndatabase=index.txt\ndefault_md=sha256\ndefault_crl_days=30\n' > ca.cnf
: > index.txt
q openssl ca -gencrl -config ca.cnf -keyfile root.key -cert root.pem -out root.crl
q openssl crl2pkcs7 -in root.crl -out crl-only.p7b
# PuTTY keys (puttygen, Debian package putty-tools): v2 and v3, plain and encrypted; the
# Argon2 cost of the v3 one fits the fuzz caps.
printf pw > pw
q puttygen id_ed25519 -O private -o ed-v2.ppk --ppk-param version=2
q puttygen id_rsa -O private -o rsa-v3.ppk
q puttygen id_ecdsa -O private -o ecdsa-v2-enc.ppk --ppk-param version=2 --new-passphrase pw
q puttygen id_ed25519 -O private -o ed-v3-enc.ppk --new-passphrase pw --ppk-param kdf=argon2id,memory=32,passes=2,parallelism=1
cat leaf.pem root.pem leaf.key > chain.pem
sed 's/$/\r/' chain.pem > chain-crlf.pem

seed() { mkdir -p "$here/corpus/$1"; cp "$2" "$here/corpus/$1/$3"; }
with_pw() { mkdir -p "$here/corpus/$1"; { printf '\002pw'; cat "$2"; } > "$here/corpus/$1/$3"; }

for f in chain.pem chain-crlf.pem leaf.der pkcs1.pem sec1.der ed.key id_ed25519 id_ed25519.pub empty.p12; do
  seed inspect "$f" "$f"
done
for f in pbkdf2.pem scrypt.der pbe3des.pem legacy.p12 modern.p12 id_enc; do
  with_pw inspect_password "$f" "$f"
done
for f in chain.pem chain-crlf.pem pkcs1.pem pbkdf2.pem id_ed25519; do
  seed pem_blocks "$f" "$f"
done
for f in legacy.p12 modern.p12 empty.p12 certs.p12 ber.p12; do
  seed pkcs12 "$f" "$f"
done
for f in id_ed25519 id_ecdsa id_rsa id_enc id_ed25519.pub id_rsa.pub; do
  seed openssh "$f" "$f"
done
for f in chain.p7b chain.p7c chain-ber.p7c crl-only.p7b; do
  seed pkcs7 "$f" "$f"
done
for f in ed-v2.ppk rsa-v3.ppk ecdsa-v2-enc.ppk ed-v3-enc.ppk; do
  seed ppk "$f" "$f"
done
