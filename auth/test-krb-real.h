/* test-krb-real.h: real Negotiate tokens from the Kerberos captures
 * (pcaps/make-real-kerberos.sh: MIT krb5 1.20 through curl, python-gssapi
 * and apache2 mod_auth_gssapi), base64 as they travel in the headers, for
 * auth/test-spnego.c and correlate/test-rule-conn-auth.c. The KRB-ERRORs'
 * stime: 2026-12-02 01:37:01 (BADKEYVER), :02 (BAD_INTEGRITY), :03 (SKEW),
 * :04 (NOT_US) UTC. */
#pragma once

/* curl's AP-REQ (ticket kvno 2, mutual-required) of apache-kerberos-stale-keytab.pcap frame 8 */
#define REAL_APREQ_MUTUAL \
  "YIIC6AYGKwYBBQUCoIIC3DCCAtigDTALBgkqhkiG9xIBAgKiggLFBIICwWCCAr0GCSqGSIb3EgECAgEAboICrDCC" \
  "AqigAwIBBaEDAgEOogcDBQAgAAAAo4IBwGGCAbwwggG4oAMCAQWhDRsLV0hZNDAxLlRFU1SiIjAgoAMCAQOhGTAX" \
  "GwRIVFRQGw93ZWIud2h5NDAxLnRlc3SjggF8MIIBeKADAgESoQMCAQKiggFqBIIBZkgp5Dg2A/w18L3/WlmNMfpE" \
  "pPlmx9sVWDx06ju2YzhKDKXRaDMdAqwOesz5KMLR+DMy3pfyuJZ1KNbX2u/LQmFX9aR3fN+W+4zLV5Hd5JOgwYYt" \
  "lgu1fu6sCdoEaJTfqfjdTu301ST7sdM3nygXTTF/CuX7VVkbUq+mG7Revc0N29z6PzbUfcioYs85jXI84F/YvQt7" \
  "PhkLSiFgWG7dTVKak7rTeU6GDGqKDSFmWKf+hiDn//X54aGDSje93MdSs0VtRxYYCp/oAIoHLjeBKatjydG9vL46" \
  "d+wjLDnp4sgNIee5ERp2BAHxd5dnnE0DWW3UrkoG1JYraU+ed/VZ3CgsoouKTyhbemLOPt8l5qL93+lrczWVKgt0" \
  "mY/LzH9oo1Bl7Y1vDidYIS+kTgZJYir6+OzfJhtT6GjY8mHinnwSctSM0YYBCrMieBLMprxIcFa8S6qIW+Q24zrb" \
  "NVzD89y1VvS62xikgc4wgcugAwIBEqKBwwSBwAbbrqaqtalffESHWD+2A3wOYknev202ijqFhAeCdxLqTinN9xKg" \
  "AT55vmcjEG0n9tGV2wY8yc9x1s3lZv2aQf+4A+dWrR/sHOCR+qprfmE9314yz/VaqgEAzEw7TlM2IRfZuut1H9Ba" \
  "K7epiWlw7R2X9Z4pcSHaxnPNrIdEZ7buKSdQpLwjP3xTFjk+G91TRksyT06YWvAn9XrgVIrrr/1kt/hDeD+voYLI" \
  "TRQcMnPBy6LRkbrcezyW9vkOplROqA=="
/* python-gssapi's AP-REQ without mutual-required, apache-kerberos-no-mutual.pcap frame 8 */
#define REAL_APREQ_NO_MUTUAL \
  "YIIC6AYGKwYBBQUCoIIC3DCCAtigDTALBgkqhkiG9xIBAgKiggLFBIICwWCCAr0GCSqGSIb3EgECAgEAboICrDCC" \
  "AqigAwIBBaEDAgEOogcDBQAAAAAAo4IBwGGCAbwwggG4oAMCAQWhDRsLV0hZNDAxLlRFU1SiIjAgoAMCAQOhGTAX" \
  "GwRIVFRQGw93ZWIud2h5NDAxLnRlc3SjggF8MIIBeKADAgESoQMCAQKiggFqBIIBZmcQ3/fXSfdTPuWBU8n1HUAY" \
  "+rA4nr3PRMWGcVX6IWasvYF4qKqO2rJVB2qg1XZ7Pizy9UU1A9ZfNgP3FO/gXSIP+civx5cUv+JMXc9aQUAQt5KT" \
  "NHiSUCFcvEf7smOkd3qF1//I008MYk8DCos5d8Bn/Jcz5m08oK1aY5yiCAMaWUs8umQhA2ZBAHp2IkDHwk0RYmp9" \
  "LqeF/iYZBiC0cmNxvM87+JfebRt2fkTmBs+LBE4dftgfr8Q4ft1goYdbww2UNG8zei6NDI+M4gnYvi1YXjfXIdG9" \
  "f2DgW9IkYE9Fbo4M6cElfhE8t6m+eo/XQ0lU3np97MKUR54BBhqliNfnhsAHezWQK92arl8zRr6slklICLt1zWvg" \
  "TL1nf5RwVz1iSJXnKoqGGAMqgG67WaM0exwCLXbH7+n/cOhBLdYRWk6+n64vAUmhKG/1mi19GaWdTgqEZtk0p6Zy" \
  "2QYp5nVtpRvUJ72kgc4wgcugAwIBEqKBwwSBwKUFGwZvKf/XKPEo9kHDEiqVyCyA7QVgk3rDO0Lm51wLxVOcr0Jy" \
  "jEuuriqBUpbxi/5bQyJIeUp9Sg05SLjU0GE7wz1ezWzvtEW1W50fXgJ5T7kgfMqVRyOFloIStjD0u85FCEeqS9QL" \
  "dAXnVxkRJXtK6Sr2GpMRpEk++oIVYyxv5EuJSXt9WV4NxQH8v0SLp3/m4jBN3dIYAobFY2DMmec+9uQWZvEtHrdz" \
  "gJMkEu3Vwj1y7sSyVzZtZoxcVltwqA=="
/* mod_auth_gssapi's reject with KRB_AP_ERR_BADKEYVER, apache-kerberos-stale-keytab.pcap frame 10 */
#define REAL_BADKEYVER \
  "oXoweKADCgEConEEb2BtBgkqhkiG9xIBAgIDAH5eMFygAwIBBaEDAgEepBEYDzIwMjYxMjAyMDEzNzAxWqUFAgML" \
  "9rmmAwIBLKkNGwtXSFk0MDEuVEVTVKoiMCCgAwIBA6EZMBcbBEhUVFAbD3dlYi53aHk0MDEudGVzdA=="
/* KRB_AP_ERR_BAD_INTEGRITY, apache-kerberos-wrong-key.pcap frame 10 */
#define REAL_BAD_INTEGRITY \
  "oXoweKADCgEConEEb2BtBgkqhkiG9xIBAgIDAH5eMFygAwIBBaEDAgEepBEYDzIwMjYxMjAyMDEzNzAyWqUFAgMK" \
  "22qmAwIBH6kNGwtXSFk0MDEuVEVTVKoiMCCgAwIBA6EZMBcbBEhUVFAbD3dlYi53aHk0MDEudGVzdA=="
/* KRB_AP_ERR_SKEW, apache-kerberos-clock-skew.pcap frame 10 */
#define REAL_SKEW \
  "oXoweKADCgEConEEb2BtBgkqhkiG9xIBAgIDAH5eMFygAwIBBaEDAgEepBEYDzIwMjYxMjAyMDEzNzAzWqUFAgML" \
  "MH+mAwIBJakNGwtXSFk0MDEuVEVTVKoiMCCgAwIBAaEZMBcbBEhUVFAbD3dlYi53aHk0MDEudGVzdA=="
/* KRB_AP_ERR_NOT_US, apache-kerberos-wrong-spn.pcap frame 10 */
#define REAL_NOT_US \
  "oXwweqADCgEConMEcWBvBgkqhkiG9xIBAgIDAH5gMF6gAwIBBaEDAgEepBEYDzIwMjYxMjAyMDEzNzA0WqUFAgMK" \
  "WyOmAwIBI6kNGwtXSFk0MDEuVEVTVKokMCKgAwIBA6EbMBkbBEhUVFAbEW90aGVyLndoeTQwMS50ZXN0"
/* accept-completed with the AP-REP, apache-kerberos-ok.pcap frame 13 */
#define REAL_AP_REP \
  "oYG3MIG0oAMKAQChCwYJKoZIhvcSAQICooGfBIGcYIGZBgkqhkiG9xIBAgICAG+BiTCBhqADAgEFoQMCAQ+iejB4" \
  "oAMCARKicQRvEOEyYaa987pILqtjGb4d/IHX29DwEQr4ds2CHA02IB3tpladqk1kj4hNXWbVubxnbJbrNvvCUfyP" \
  "C1Plqr/649nsB0P2+IVkAA47mq+uO/y2IfzXWiZraZpmtj4DYxby7UaJNIgDeI2dq7omyqoq"
