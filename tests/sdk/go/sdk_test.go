// The official Azure Go SDK (azcertificates) against `kvconform serve --tls --require-auth`.
//
// Run by tests/sdk/run-go.sh, which starts the server (or takes run.sh's) and passes it in the
// environment:
//
//	KVCONFORM_SDK_URL=https://127.0.0.1:PORT KVCONFORM_SDK_CA=ca.pem KVCONFORM_SDK_TOKEN=T \
//	  [KVCONFORM_SDK_API_VERSION=7.6] go test -count=1 .
//
// Each check prints `ok: …` or `FAIL: …` (a FAIL also fails the Go test); an unexpected error
// fails the step it happened in and the next step runs. The last lines are the api-versions the
// client sent and `sdk-go: N passed, M failed`. Without the environment the test fails: it never
// passes by doing nothing.
package sdkgo

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha1"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"os"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/security/keyvault/azcertificates"
)

// FACTS.md cross-cutting: status_details of an inProgress manual operation.
const detailsManual = "Pending certificate created. Please Perform Merge to complete the request."

var hex32 = regexp.MustCompile(`^[0-9a-f]{32}$`)

// ---------------------------------------------------------------------------------------------
// Checks

var passed, failed int

type checker struct{ t *testing.T }

func (c checker) ok(what string, cond bool, detail string, args ...any) bool {
	c.t.Helper()
	if cond {
		passed++
		fmt.Printf("ok: %s\n", what)
	} else {
		failed++
		msg := fmt.Sprintf("FAIL: %s: %s", what, fmt.Sprintf(detail, args...))
		fmt.Println(msg)
		c.t.Error(msg)
	}
	return cond
}

func (c checker) equal(what string, actual, expected any) bool {
	c.t.Helper()
	return c.ok(what, fmt.Sprint(actual) == fmt.Sprint(expected), "expected %v, got %v", expected, actual)
}

// fatal is an unexpected error: one failed check, and the step stops.
func (c checker) fatal(what string, err error) {
	c.t.Helper()
	failed++
	msg := fmt.Sprintf("FAIL: %s: unexpected error: %v", what, err)
	fmt.Println(msg)
	c.t.Fatal(msg)
}

// httpError checks that err is a ResponseError with `status`; it returns it (or nil).
func (c checker) httpError(what string, err error, status int) *azcore.ResponseError {
	c.t.Helper()
	var re *azcore.ResponseError
	if !errors.As(err, &re) {
		c.ok(what, false, "expected HTTP %d, got %v", status, err)
		return nil
	}
	c.ok(what, re.StatusCode == status, "expected HTTP %d, got %d: %v", status, re.StatusCode, err)
	return re
}

func str(p *string) string {
	if p == nil {
		return "<nil>"
	}
	return *p
}

func boolOf(p *bool) string {
	if p == nil {
		return "<nil>"
	}
	return fmt.Sprint(*p)
}

// ---------------------------------------------------------------------------------------------
// The client: a fixed-token credential, the vault's CA, and a policy that records every request.

type staticToken struct {
	token string
	mu    sync.Mutex
	calls int
}

func (s *staticToken) GetToken(context.Context, policy.TokenRequestOptions) (azcore.AccessToken, error) {
	s.mu.Lock()
	s.calls++
	s.mu.Unlock()
	return azcore.AccessToken{Token: s.token, ExpiresOn: time.Now().Add(time.Hour)}, nil
}

type exchange struct {
	method, path, apiVersion string
	status                   int
}

type recorder struct {
	mu   sync.Mutex
	sent []exchange
}

func (r *recorder) Do(req *policy.Request) (*http.Response, error) {
	resp, err := req.Next()
	status := 0
	if resp != nil {
		status = resp.StatusCode
	}
	u := req.Raw().URL
	r.mu.Lock()
	r.sent = append(r.sent, exchange{req.Raw().Method, u.Path, u.Query().Get("api-version"), status})
	r.mu.Unlock()
	return resp, err
}

// last is the status of the last response to `method` on `path` (0: none).
func (r *recorder) last(method, path string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	for i := len(r.sent) - 1; i >= 0; i-- {
		if r.sent[i].method == method && r.sent[i].path == path {
			return r.sent[i].status
		}
	}
	return 0
}

type env struct {
	url        string
	client     *azcertificates.Client
	cred       *staticToken
	rec        *recorder
	httpClient *http.Client
	ctx        context.Context
}

func setup(t *testing.T) *env {
	url, caFile, token := os.Getenv("KVCONFORM_SDK_URL"), os.Getenv("KVCONFORM_SDK_CA"), os.Getenv("KVCONFORM_SDK_TOKEN")
	if url == "" || caFile == "" || token == "" {
		failed++
		fmt.Println("FAIL: KVCONFORM_SDK_URL, KVCONFORM_SDK_CA and KVCONFORM_SDK_TOKEN must be set (tests/sdk/run-go.sh sets them)")
		t.FailNow()
	}
	caPEM, err := os.ReadFile(caFile)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(caPEM) {
		t.Fatalf("no certificate in %s", caFile)
	}
	httpClient := &http.Client{
		Timeout:   30 * time.Second,
		Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}, Proxy: nil},
	}
	e := &env{url: strings.TrimSuffix(url, "/"), cred: &staticToken{token: token}, rec: &recorder{}, httpClient: httpClient}
	opts := &azcertificates.ClientOptions{
		ClientOptions: azcore.ClientOptions{
			Transport:        httpClient,
			Retry:            policy.RetryOptions{MaxRetries: 1, RetryDelay: 100 * time.Millisecond},
			PerRetryPolicies: []policy.Policy{e.rec},
			APIVersion:       os.Getenv("KVCONFORM_SDK_API_VERSION"), // "" keeps the client's default
		},
		// The vault is not *.vault.azure.net: its challenge names https://vault.azure.net.
		DisableChallengeResourceVerification: true,
	}
	e.client, err = azcertificates.NewClient(e.url, e.cred, opts)
	if err != nil {
		t.Fatal(err)
	}
	e.ctx = context.Background()
	return e
}

// ---------------------------------------------------------------------------------------------
// A throwaway CA that signs the vault's CSRs as a real issuer would.

type throwawayCA struct {
	key  *ecdsa.PrivateKey
	cert *x509.Certificate
	der  []byte
}

func serial() *big.Int {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 63))
	if err != nil {
		panic(err)
	}
	return n.Add(n, big.NewInt(1))
}

func newCA() (*throwawayCA, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial(),
		Subject:               pkix.Name{CommonName: "kvconform sdk-go test CA"},
		NotBefore:             time.Now().Add(-5 * time.Minute),
		NotAfter:              time.Now().Add(30 * 24 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		MaxPathLenZero:        true,
		KeyUsage:              x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, err
	}
	cert, err := x509.ParseCertificate(der)
	return &throwawayCA{key, cert, der}, err
}

// sign returns (leaf DER, CA DER) for a DER PKCS#10 request.
func (ca *throwawayCA) sign(csrDER []byte) ([]byte, []byte, error) {
	csr, err := x509.ParseCertificateRequest(csrDER)
	if err != nil {
		return nil, nil, fmt.Errorf("the vault's CSR does not parse: %w", err)
	}
	if err := csr.CheckSignature(); err != nil {
		return nil, nil, fmt.Errorf("the vault's CSR has an invalid signature: %w", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial(),
		Subject:      csr.Subject,
		NotBefore:    time.Now().Add(-5 * time.Minute),
		NotAfter:     time.Now().Add(30 * 24 * time.Hour),
	}
	leaf, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, csr.PublicKey, ca.key)
	return leaf, ca.der, err
}

func policyFor(issuer, name string) *azcertificates.CertificatePolicy {
	return &azcertificates.CertificatePolicy{
		IssuerParameters:          &azcertificates.IssuerParameters{Name: to.Ptr(issuer)},
		X509CertificateProperties: &azcertificates.X509CertificateProperties{Subject: to.Ptr("CN=" + name)},
	}
}

func sha1Hex(b []byte) string {
	sum := sha1.Sum(b)
	return hex.EncodeToString(sum[:])
}

// ---------------------------------------------------------------------------------------------
// Steps

func unauthenticatedRequestIsChallenged(c checker, e *env) {
	resp, err := e.httpClient.Get(e.url + "/certificates?api-version=2025-07-01")
	if err != nil {
		c.fatal("GET without a token", err)
	}
	resp.Body.Close()
	c.equal("a request without a token gets 401", resp.StatusCode, 401)
	challenge := resp.Header.Get("WWW-Authenticate")
	c.ok("the 401 carries the Bearer challenge",
		strings.HasPrefix(challenge, `Bearer authorization="https://login.microsoftonline.com/`) &&
			strings.HasSuffix(challenge, `, resource="https://vault.azure.net"`), "%s", challenge)
}

func manualLifecycle(c checker, e *env, ca *throwawayCA, name string) {
	created, err := e.client.CreateCertificate(e.ctx, name,
		azcertificates.CreateCertificateParameters{CertificatePolicy: policyFor("Unknown", name)}, nil)
	if err != nil {
		c.fatal("manual create", err)
	}
	c.equal("manual create: 202 on the wire", e.rec.last("POST", "/certificates/"+name+"/create"), 202)
	c.equal("manual create: status", str(created.Status), "inProgress")
	c.ok("manual create: request_id is 32 lowercase hex", hex32.MatchString(str(created.RequestID)), "%s", str(created.RequestID))
	c.ok("manual create: csr present", len(created.CSR) > 0, "empty")

	got, err := e.client.GetCertificateOperation(e.ctx, name, nil)
	if err != nil {
		c.fatal("get operation", err)
	}
	op := got.CertificateOperation
	c.equal("get operation: status", str(op.Status), "inProgress")
	c.equal("get operation: status_details", str(op.StatusDetails), detailsManual)
	c.equal("get operation: issuer", str(op.IssuerParameters.Name), "Unknown")
	c.equal("get operation: cancellation_requested", boolOf(op.CancellationRequested), "false")
	c.equal("get operation: same request_id", str(op.RequestID), str(created.RequestID))
	c.ok("get operation: csr present", len(op.CSR) > 0, "empty")
	c.equal("get operation: id", string(*op.ID), e.url+"/certificates/"+name+"/pending")

	disabled, err := e.client.GetCertificate(e.ctx, name, "", nil)
	if err != nil {
		c.fatal("get certificate while pending", err)
	}
	c.equal("certificate made by create is disabled", boolOf(disabled.Attributes.Enabled), "false")
	c.ok("certificate made by create has no cer", len(disabled.CER) == 0, "%d bytes", len(disabled.CER))

	_, err = e.client.CreateCertificate(e.ctx, name,
		azcertificates.CreateCertificateParameters{CertificatePolicy: policyFor("Unknown", name)}, nil)
	if re := c.httpError("create again while in progress → 409", err, 409); re != nil {
		c.ok("409 message says why",
			strings.Contains(err.Error(), "while a pending key vault certificate's status is inProgress"), "%v", err)
	}

	leaf, caDER, err := ca.sign(op.CSR)
	if err != nil {
		c.fatal("sign the CSR", err)
	}
	merged, err := e.client.MergeCertificate(e.ctx, name,
		azcertificates.MergeCertificateParameters{X509Certificates: [][]byte{leaf, caDER}}, nil)
	if err != nil {
		c.fatal("merge", err)
	}
	c.ok("merge: certificate is the signed leaf", bytes.Equal(merged.CER, leaf), "%d bytes", len(merged.CER))
	c.equal("merge: certificate is enabled", boolOf(merged.Attributes.Enabled), "true")
	version := merged.ID.Version()
	c.ok("merge: versioned id", hex32.MatchString(version) && string(*merged.ID) == e.url+"/certificates/"+name+"/"+version,
		"id %s", string(*merged.ID))
	c.equal("merge: kid", string(*merged.KID), e.url+"/keys/"+name+"/"+version)
	c.equal("merge: sid", string(*merged.SID), e.url+"/secrets/"+name+"/"+version)
	c.equal("merge: x5t is the SHA-1 of the leaf", hex.EncodeToString(merged.X509Thumbprint), sha1Hex(leaf))

	done, err := e.client.GetCertificateOperation(e.ctx, name, nil)
	if err != nil {
		c.fatal("get operation after merge", err)
	}
	c.equal("operation after merge: status", str(done.Status), "completed")
	c.equal("operation after merge: target", str(done.Target), e.url+"/certificates/"+name)
	c.ok("operation after merge: no status_details", done.StatusDetails == nil || *done.StatusDetails == "", "%s", str(done.StatusDetails))

	latest, err := e.client.GetCertificate(e.ctx, name, "", nil)
	if err != nil {
		c.fatal("get certificate after merge", err)
	}
	c.equal("get certificate after merge: same version", latest.ID.Version(), version)
}

// selfIssued: azcertificates v1 has no poller (CreateCertificate returns the operation), so the
// operation is polled with GetCertificateOperation, as the module's own examples do.
func selfIssued(c checker, e *env, name string) {
	created, err := e.client.CreateCertificate(e.ctx, name,
		azcertificates.CreateCertificateParameters{CertificatePolicy: policyFor("Self", name)}, nil)
	if err != nil {
		c.fatal("Self create", err)
	}
	c.equal("Self create: inProgress at first", str(created.Status), "inProgress")
	var op azcertificates.CertificateOperation
	polls := 0
	for deadline := time.Now().Add(20 * time.Second); ; {
		got, err := e.client.GetCertificateOperation(e.ctx, name, nil)
		if err != nil {
			c.fatal("Self create: poll", err)
		}
		polls++
		op = got.CertificateOperation
		if str(op.Status) != "inProgress" || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	c.equal("Self create: operation completed", str(op.Status), "completed")
	c.ok("Self create: polled GET …/pending until done", polls >= 1, "%d", polls)
	c.equal("Self create: target", str(op.Target), e.url+"/certificates/"+name)
	c.ok("Self create: no status_details", op.StatusDetails == nil || *op.StatusDetails == "", "%s", str(op.StatusDetails))
	cert, err := e.client.GetCertificate(e.ctx, name, "", nil)
	if err != nil {
		c.fatal("Self create: get certificate", err)
	}
	c.equal("Self create: certificate is enabled", boolOf(cert.Attributes.Enabled), "true")
	parsed, err := x509.ParseCertificate(cert.CER)
	if err != nil {
		c.fatal("Self create: parse cer", err)
	}
	c.equal("Self create: subject from the policy", parsed.Subject.String(), "CN="+name)
	c.equal("Self create: self-issued", parsed.Issuer.String(), parsed.Subject.String())
	// CheckSignatureFrom would also demand that the parent be a CA: check the signature alone.
	err = parsed.CheckSignature(parsed.SignatureAlgorithm, parsed.RawTBSCertificate, parsed.Signature)
	c.ok("Self create: signed by its own key", err == nil, "%v", err)
}

func cancelAndDelete(c checker, e *env, name string) {
	if _, err := e.client.CreateCertificate(e.ctx, name,
		azcertificates.CreateCertificateParameters{CertificatePolicy: policyFor("Unknown", name)}, nil); err != nil {
		c.fatal("create", err)
	}
	cancelled, err := e.client.UpdateCertificateOperation(e.ctx, name,
		azcertificates.UpdateCertificateOperationParameter{CancellationRequested: to.Ptr(true)}, nil)
	if err != nil {
		c.fatal("cancel", err)
	}
	c.equal("cancel: PATCH …/pending → 200", e.rec.last("PATCH", "/certificates/"+name+"/pending"), 200)
	c.equal("cancel: cancellation_requested", boolOf(cancelled.CancellationRequested), "true")
	c.equal("cancel: a manual operation stays inProgress", str(cancelled.Status), "inProgress")
	c.equal("cancel: status_details unchanged", str(cancelled.StatusDetails), detailsManual)

	deleted, err := e.client.DeleteCertificateOperation(e.ctx, name, nil)
	if err != nil {
		c.fatal("delete operation", err)
	}
	c.equal("delete operation: echoes the operation", boolOf(deleted.CancellationRequested), "true")
	c.equal("delete operation: echoes status_details", str(deleted.StatusDetails), detailsManual)
	_, err = e.client.GetCertificateOperation(e.ctx, name, nil)
	if re := c.httpError("get operation after delete → 404", err, 404); re != nil {
		c.equal("404 code", re.ErrorCode, "PendingCertificateNotFound")
	}
}

func providerIssuerRefusesMerge(c checker, e *env, ca *throwawayCA, name, issuer string) {
	stored, err := e.client.SetIssuer(e.ctx, issuer, azcertificates.SetIssuerParameters{
		Provider:    to.Ptr("DigiCert"),
		Credentials: &azcertificates.IssuerCredentials{AccountID: to.Ptr("fake-account"), Password: to.Ptr("fake-password")},
		OrganizationDetails: &azcertificates.OrganizationDetails{
			ID: to.Ptr("fake-org"),
			AdminContacts: []*azcertificates.AdministratorContact{{
				FirstName: to.Ptr("Ada"), LastName: to.Ptr("Lovelace"), Email: to.Ptr("ada@example.com"), Phone: to.Ptr("555"),
			}},
		},
	}, nil)
	if err != nil {
		c.fatal("set issuer", err)
	}
	c.equal("set issuer: provider", str(stored.Provider), "DigiCert")
	got, err := e.client.GetIssuer(e.ctx, issuer, nil)
	if err != nil {
		c.fatal("get issuer", err)
	}
	c.equal("get issuer: provider", str(got.Provider), "DigiCert")
	c.equal("get issuer: account id", str(got.Credentials.AccountID), "fake-account")

	if _, err := e.client.CreateCertificate(e.ctx, name,
		azcertificates.CreateCertificateParameters{CertificatePolicy: policyFor(issuer, name)}, nil); err != nil {
		c.fatal("provider create", err)
	}
	op, err := e.client.GetCertificateOperation(e.ctx, name, nil)
	if err != nil {
		c.fatal("provider get operation", err)
	}
	c.equal("provider create: issuer", str(op.IssuerParameters.Name), issuer)
	c.equal("provider create: inProgress", str(op.Status), "inProgress")

	leaf, caDER, err := ca.sign(op.CSR)
	if err != nil {
		c.fatal("sign the CSR", err)
	}
	_, err = e.client.MergeCertificate(e.ctx, name,
		azcertificates.MergeCertificateParameters{X509Certificates: [][]byte{leaf, caDER}}, nil)
	if re := c.httpError("merge on a provider-issuer operation in progress → 403", err, 403); re != nil {
		c.ok("403 message names the issuer", strings.Contains(err.Error(), "issuer : "+issuer), "%v", err)
	}
}

// importPEM imports a self-signed certificate and its PKCS#8 key as PEM text.
func importPEM(c checker, e *env, name string) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		c.fatal("key", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial(),
		Subject:      pkix.Name{CommonName: name},
		NotBefore:    time.Now().Add(-5 * time.Minute),
		NotAfter:     time.Now().Add(30 * 24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		DNSNames:     []string{name + ".example.com"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		c.fatal("certificate", err)
	}
	pkcs8, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		c.fatal("pkcs8", err)
	}
	text := string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})) +
		string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pkcs8}))

	imported, err := e.client.ImportCertificate(e.ctx, name, azcertificates.ImportCertificateParameters{
		Base64EncodedCertificate: to.Ptr(text),
		CertificatePolicy: &azcertificates.CertificatePolicy{
			SecretProperties: &azcertificates.SecretProperties{ContentType: to.Ptr("application/x-pem-file")},
		},
	}, nil)
	if err != nil {
		c.fatal("import", err)
	}
	c.ok("import: cer is the imported certificate", bytes.Equal(imported.CER, der), "%d bytes", len(imported.CER))
	c.equal("import: enabled", boolOf(imported.Attributes.Enabled), "true")
	c.equal("import: x5t", hex.EncodeToString(imported.X509Thumbprint), sha1Hex(der))
	c.ok("import: versioned id", hex32.MatchString(imported.ID.Version()), "%s", string(*imported.ID))
	if imported.Policy != nil && imported.Policy.SecretProperties != nil {
		c.equal("import: policy content type", str(imported.Policy.SecretProperties.ContentType), "application/x-pem-file")
	} else {
		c.ok("import: policy content type", false, "no policy.secret_props in the answer")
	}
	c.equal("import: policy subject from the certificate", str(imported.Policy.X509CertificateProperties.Subject), "CN="+name)
	got, err := e.client.GetCertificate(e.ctx, name, "", nil)
	if err != nil {
		c.fatal("get imported", err)
	}
	c.equal("get imported: same version", got.ID.Version(), imported.ID.Version())
	c.ok("get imported: same cer", bytes.Equal(got.CER, der), "%d bytes", len(got.CER))
}

// listed returns the names of the certificates the pager lists.
func listed(c checker, e *env, includePending bool) map[string]bool {
	names := map[string]bool{}
	pager := e.client.NewListCertificatePropertiesPager(&azcertificates.ListCertificatePropertiesOptions{IncludePending: to.Ptr(includePending)})
	for pager.More() {
		page, err := pager.NextPage(e.ctx)
		if err != nil {
			c.fatal("list", err)
		}
		for _, p := range page.Value {
			names[p.ID.Name()] = true
		}
	}
	return names
}

func list(c checker, e *env, issued []string, pending string) {
	all := listed(c, e, true)
	for _, n := range issued {
		c.ok("list (includePending): has "+n, all[n], "not listed")
	}
	c.ok("list (includePending): has the pending "+pending, all[pending], "not listed")
	plain := listed(c, e, false)
	for _, n := range issued {
		c.ok("list: has "+n, plain[n], "not listed")
	}
	c.ok("list: leaves out the pending "+pending, !plain[pending], "listed")
}

func deleteAndPurge(c checker, e *env, name string) {
	deleted, err := e.client.DeleteCertificate(e.ctx, name, nil)
	if err != nil {
		c.fatal("delete", err)
	}
	c.equal("delete: recoveryId", str(deleted.RecoveryID), e.url+"/deletedcertificates/"+name)
	c.ok("delete: deletedDate and scheduledPurgeDate", deleted.DeletedDate != nil && deleted.ScheduledPurgeDate != nil &&
		deleted.ScheduledPurgeDate.After(*deleted.DeletedDate), "%v / %v", deleted.DeletedDate, deleted.ScheduledPurgeDate)
	_, err = e.client.GetCertificate(e.ctx, name, "", nil)
	c.httpError("get after delete → 404", err, 404)

	// The service deletes in the background: wait (bounded) for the deleted certificate.
	var got azcertificates.GetDeletedCertificateResponse
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		got, err = e.client.GetDeletedCertificate(e.ctx, name, nil)
		if err == nil || time.Now().After(deadline) {
			break
		}
	}
	if err != nil {
		c.fatal("get deleted", err)
	}
	c.equal("get deleted: id", string(*got.ID), string(*deleted.ID))
	inDeleted := false
	pager := e.client.NewListDeletedCertificatePropertiesPager(nil)
	for pager.More() {
		page, err := pager.NextPage(e.ctx)
		if err != nil {
			c.fatal("list deleted", err)
		}
		for _, p := range page.Value {
			inDeleted = inDeleted || p.ID.Name() == name
		}
	}
	c.ok("list deleted: has "+name, inDeleted, "not listed")

	if _, err := e.client.PurgeDeletedCertificate(e.ctx, name, nil); err != nil {
		c.fatal("purge", err)
	}
	c.equal("purge: 204 on the wire", e.rec.last("DELETE", "/deletedcertificates/"+name), 204)
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		_, err = e.client.GetDeletedCertificate(e.ctx, name, nil)
		if err != nil || time.Now().After(deadline) {
			break
		}
	}
	c.httpError("get deleted after purge → 404", err, 404)
}

// ---------------------------------------------------------------------------------------------

func TestLifecycle(t *testing.T) {
	e := setup(t)
	ca, err := newCA()
	if err != nil {
		t.Fatal(err)
	}
	suffix := fmt.Sprintf("%x", time.Now().UnixMilli()%100_000_000)
	manual, self, cancel, provider, imported := "sdkgo-manual-"+suffix, "sdkgo-self-"+suffix,
		"sdkgo-cancel-"+suffix, "sdkgo-provider-"+suffix, "sdkgo-import-"+suffix
	step := func(name string, f func(c checker)) { t.Run(name, func(t *testing.T) { f(checker{t}) }) }

	step("challenge", func(c checker) { unauthenticatedRequestIsChallenged(c, e) })
	step("manual", func(c checker) { manualLifecycle(c, e, ca, manual) })
	step("self", func(c checker) { selfIssued(c, e, self) })
	step("cancel", func(c checker) { cancelAndDelete(c, e, cancel) })
	step("provider", func(c checker) { providerIssuerRefusesMerge(c, e, ca, provider, "digicert-"+suffix) })
	step("import", func(c checker) { importPEM(c, e, imported) })
	step("list", func(c checker) { list(c, e, []string{manual, self, imported}, provider) })
	step("delete-purge", func(c checker) { deleteAndPurge(c, e, imported) })
	step("credential", func(c checker) {
		c.ok("the SDK asked the credential for a token", e.cred.calls >= 1, "%d calls", e.cred.calls)
	})

	versions := map[string]bool{}
	for _, x := range e.rec.sent {
		versions[x.apiVersion] = true
	}
	var vs []string
	for v := range versions {
		vs = append(vs, v)
	}
	sort.Strings(vs)
	fmt.Printf("sdk-go: api-version sent: %s; %d requests\n", strings.Join(vs, ", "), len(e.rec.sent))
	if want := os.Getenv("KVCONFORM_SDK_API_VERSION"); want != "" {
		checker{t}.equal("every request sent api-version "+want, strings.Join(vs, ","), want)
	}
	fmt.Printf("sdk-go: %d passed, %d failed\n", passed, failed)
}
