package config

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"strings"
)

// TLSHint returns what to do about a failed TLS handshake with backend,
// or "" when err is not one. It recognises the errors themselves and, for
// APIs that pass on only their text (gRPC, client_golang), their messages.
func TLSHint(err error, backend string) string {
	if err == nil {
		return ""
	}
	var ua x509.UnknownAuthorityError
	var he x509.HostnameError
	var ci x509.CertificateInvalidError
	var rh tls.RecordHeaderError
	msg := err.Error()
	caFlag := "--" + backend + "-ca-file or tls.ca_file in the context"
	switch {
	case errors.As(err, &ua) || strings.Contains(msg, "certificate signed by unknown authority"):
		return "the server's certificate is signed by an unknown authority: give its CA with " + caFlag
	case errors.As(err, &he) || strings.Contains(msg, "x509: certificate is valid for") || strings.Contains(msg, "x509: certificate is not valid for any names"):
		return "the server's certificate does not carry the host name of the URL (name mismatch): use the name it has, or set tls.server_name in the context"
	case errors.As(err, &ci) || strings.Contains(msg, "x509: certificate has expired"):
		return "the server's certificate is not valid (expired, or not for a server)"
	case errors.As(err, &rh) || strings.Contains(msg, "server gave HTTP response to HTTPS client") || strings.Contains(msg, "first record does not look like a TLS handshake"):
		return "the server does not speak TLS there: use an http:// (or grpc://) URL"
	case strings.Contains(msg, "x509:") || strings.Contains(msg, "tls:"):
		return "the TLS handshake failed; check " + caFlag + ", and the client certificate"
	}
	return ""
}
