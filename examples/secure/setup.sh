#!/bin/sh
# Creates, with the JDK's keytool, what examples/secure/node.conf and admin.properties use:
#   generated/ca.p12                 the example CA (key and certificate)
#   generated/node.keystore.p12      the node's key and certificate for 127.0.0.1/localhost, signed by the CA
#                                    (every node of the example shares it; followers authenticate with SCRAM)
#   generated/client.truststore.p12  the CA's certificate, for clients and for followers checking their leader
# Usage: examples/secure/setup.sh [OUTPUT_DIR]   (default: examples/secure/generated; existing files are replaced)
# Every store's password is "changeit" (an example, not a secret). Certificates are valid for 365 days.
set -eu

out="${1:-$(dirname "$0")/generated}"
password=changeit
days=365
mkdir -p "$out"
rm -f "$out/ca.p12" "$out/ca.crt" "$out/node.keystore.p12" "$out/node.csr" "$out/node.crt" "$out/client.truststore.p12"

keytool -genkeypair -alias ca -keyalg RSA -keysize 2048 -validity "$days" \
  -dname "CN=Vltava Example CA" -ext bc:c -storetype PKCS12 \
  -keystore "$out/ca.p12" -storepass "$password" -keypass "$password"
keytool -exportcert -rfc -alias ca -keystore "$out/ca.p12" -storepass "$password" -file "$out/ca.crt"

keytool -genkeypair -alias node -keyalg RSA -keysize 2048 -validity "$days" \
  -dname "CN=vltava-node" -storetype PKCS12 \
  -keystore "$out/node.keystore.p12" -storepass "$password" -keypass "$password"
keytool -certreq -alias node -keystore "$out/node.keystore.p12" -storepass "$password" -file "$out/node.csr"
keytool -gencert -alias ca -keystore "$out/ca.p12" -storepass "$password" -validity "$days" -rfc \
  -ext "SAN=IP:127.0.0.1,DNS:localhost" -ext "EKU=serverAuth,clientAuth" \
  -infile "$out/node.csr" -outfile "$out/node.crt"
# The chain: the CA first, then the node's signed certificate replaces its self-signed one.
keytool -importcert -noprompt -alias ca -file "$out/ca.crt" -keystore "$out/node.keystore.p12" -storepass "$password"
keytool -importcert -alias node -file "$out/node.crt" -keystore "$out/node.keystore.p12" -storepass "$password"

keytool -importcert -noprompt -alias ca -file "$out/ca.crt" -storetype PKCS12 \
  -keystore "$out/client.truststore.p12" -storepass "$password"

rm -f "$out/node.csr" "$out/node.crt"
echo "Created $out/node.keystore.p12, $out/client.truststore.p12 and $out/ca.crt"
