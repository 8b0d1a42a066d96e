package messages

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/ledongthuc/pdf"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"recours/internal/calendar"
	"recours/internal/domain"
	"recours/internal/messages/smtptest"
)

var (
	now = time.Date(2026, 3, 12, 10, 0, 0, 0, calendar.Paris)
	caf = CafContact{
		Name:            "Caf de l'Ardèche",
		Address:         "8 avenue de l'Europe unie\n07000 Privas",
		Contact:         "3230, du lundi au vendredi de 9 h à 16 h",
		Service:         "le pôle relation allocataires",
		MediatorContact: "Médiateur de la Caf de l'Ardèche, 8 avenue de l'Europe unie, 07000 Privas — mediation.caf07@example.fr",
		Signatory:       Signatory{Name: "Gaëlle Caron", Function: "Gestionnaire conseil allocataires"},
	}
	received = time.Date(2026, 3, 2, 9, 30, 0, 0, calendar.Paris).UTC()
)

func complaint() domain.Case {
	return domain.Case{
		ID: "R-071-2026-000123", Kind: domain.KindComplaint, Caf: "071", Benefit: "housing_aid",
		Claimant: domain.Claimant{Number: "1234567", Name: "Hélène Durand", Email: "helene@example.fr", Phone: "+33612345678",
			Address: "12 rue des Écoles\n07200 Aubenas"},
		Subject:    "Trop-perçu d'APL de 1 620 € non compris",
		ReceivedAt: received,
		Deadlines: []domain.Deadline{
			{Name: domain.DeadlineAcknowledgment, DueAt: time.Date(2026, 3, 17, 23, 0, 0, 0, time.UTC)},
			{Name: domain.DeadlineTarget, DueAt: time.Date(2026, 3, 26, 22, 59, 0, 0, time.UTC)},
			{Name: domain.DeadlineImplicitRejection, DueAt: time.Date(2026, 5, 2, 21, 59, 59, 0, time.UTC)},
		},
		Answer: "Le trop-perçu de 1 620 € vient d'un changement de vos ressources en 2025. Nous l'étalons sur 12 mois.",
	}
}

func mediation() domain.Case {
	return domain.Case{
		ID: "M-071-2026-000045", Kind: domain.KindMediation, Caf: "071", Benefit: "rsa", Origin: "claimant",
		Claimant:   domain.Claimant{Number: "7654321", Name: "Éric Martin", Address: "3 place de la Mairie\n07100 Annonay"},
		Subject:    "Suspension du RSA",
		ReceivedAt: received,
		Deadlines: []domain.Deadline{
			{Name: domain.DeadlineTarget, DueAt: time.Date(2026, 4, 20, 10, 0, 0, 0, time.UTC)},
			{Name: domain.DeadlineLegal, DueAt: time.Date(2026, 5, 12, 10, 0, 0, 0, time.UTC)},
		},
		Outcome: "partly_revised", Explanation: "Votre RSA est rétabli à partir de février ; la période de janvier reste due.",
		ReorientedTo: "R-071-2026-000200", DDDReference: "DDD-2026-0042", ResponseExpectedBy: "2026-04-02",
		AppealSuspension: &domain.AppealSuspension{From: time.Date(2026, 3, 5, 10, 0, 0, 0, calendar.Paris).UTC()},
		// Notified on 10 February: due by 10 April; 36 days were left on 5
		// March, which run again from 12 March, to 17 April.
		DecisionNotifiedOn: "2026-02-10",
	}
}

// referral is the mediation file a referral of the Défenseur des droits opened.
func referral() domain.Case {
	c := mediation()
	c.Origin, c.AppealSuspension = string(domain.OriginDDD), nil
	return c
}

func TestFrenchDate(t *testing.T) {
	assert.Equal(t, "12 mars 2026", FrenchDate(now))
	assert.Equal(t, "1er août 2026", FrenchDate(time.Date(2026, 8, 1, 12, 0, 0, 0, calendar.Paris)))
	// 23:30 UTC on 31 December is already the new year in Paris.
	assert.Equal(t, "1er janvier 2027", FrenchDate(time.Date(2026, 12, 31, 23, 30, 0, 0, time.UTC)))
}

func TestEveryTemplateRenders(t *testing.T) {
	ddd := "Défenseur des droits, Libre réponse 71120"
	for _, tc := range []struct {
		kind     Kind
		c        domain.Case
		deadline string
		contact  string
		extra    []string
	}{
		{KindAcknowledgment, complaint(), "26 mars 2026", caf.MediatorContact, []string{"réclamation", "le 2 mars 2026", "2 mai 2026", "décision implicite de rejet"}},
		{KindAcknowledgment, mediation(), "20 avril 2026", caf.MediatorContact, []string{"demande de médiation", "ne sont suspendus qu'à partir du jour"}},
		{KindAcknowledgment, referral(), "20 avril 2026", caf.Contact, []string{"Le Défenseur des droits nous a transmis", "ne suspend pas vos délais"}},
		{KindComplaintAnswer, complaint(), "", caf.MediatorContact, []string{"étalons sur 12 mois", "médiation", "sans condition de délai"}},
		{KindAdmissibility, mediation(), "20 avril 2026", caf.MediatorContact, []string{"elle est recevable", "vos délais pour contester la décision de la Caf sont suspendus", "L217-7-1"}},
		{KindMediationDecision, mediation(), "vous avez jusqu'au 17 avril 2026", ddd, []string{"Il recommande de modifier en partie", "rétabli à partir de février", "suspendus depuis le 5 mars 2026", "Ce sont des recommandations"}},
		{KindReorientation, mediation(), "2 mai 2026", caf.MediatorContact, []string{"R-071-2026-000200", "compte comme reçue le 2 mars 2026", "L114-3"}},
		{KindDDDReply, mediation(), "10 avril 2026", ddd, []string{"DDD-2026-0042", "2 avril 2026", "n'ouvre pas de nouveau délai pour contester"}},
	} {
		t.Run(string(tc.kind)+"/"+string(tc.c.Kind)+"/"+tc.c.Origin, func(t *testing.T) {
			m, err := Compose(tc.kind, tc.c, caf, now)
			require.NoError(t, err)
			assert.Equal(t, tc.kind, m.Kind)
			assert.Equal(t, TemplateVersion[tc.kind], m.Version)
			assert.Equal(t, tc.c.ID+":"+string(tc.kind), m.IdempotencyKey, "the version is not part of the key")
			assert.Contains(t, m.Subject, tc.c.ID)
			assert.Contains(t, m.Body, tc.c.ID, "the file reference")
			if tc.deadline != "" {
				assert.Contains(t, m.Body, tc.deadline, "the deadline")
			}
			assert.Contains(t, m.Body, tc.contact, "the next recourse's contact")
			assert.Contains(t, m.Body, "Bonjour "+tc.c.Claimant.Name)
			assert.Contains(t, m.Body, "12 mars 2026")
			for _, e := range tc.extra {
				assert.Contains(t, m.Body, e)
			}
			assert.NotContains(t, m.Body, "décision du médiateur", "the mediator recommends; the Caf decides")
			assert.NotContains(t, m.Body, "<no value>")
			assert.NotContains(t, m.Body, "\n\n\n")
			assert.Contains(t, m.Short, tc.c.ID)
			assert.LessOrEqual(t, len([]rune(m.Short)), 200, m.Short)
		})
	}
}

// A reply to the Défenseur des droits opens no recourse deadline: the
// referral suspended none (loi organique 2011-333, art. 6). The last day
// it names, when the claimant gave the decision's date, is the one that
// ran from the decision's notification.
func TestDDDReplyOpensNoDeadline(t *testing.T) {
	c := referral()
	c.DecisionNotifiedOn = ""
	m, err := Compose(KindDDDReply, c, caf, now)
	require.NoError(t, err)
	assert.NotContains(t, m.Body, "jusqu'au")
	assert.NotContains(t, m.Short, "jusqu'au")
	c.DecisionNotifiedOn = "2026-02-10"
	m, err = Compose(KindDDDReply, c, caf, now)
	require.NoError(t, err)
	assert.Contains(t, m.Body, "vous avez jusqu'au 10 avril 2026", "two months from the notification, not from the reply")
}

func TestMissingDataIsAnError(t *testing.T) {
	noAnswer := complaint()
	noAnswer.Answer = " "
	noDeadline := complaint()
	noDeadline.Deadlines = nil
	noDecision := mediation()
	noDecision.Outcome = ""
	noExplanation := mediation()
	noExplanation.Explanation = ""
	noReorient := mediation()
	noReorient.ReorientedTo = ""
	noDDD := mediation()
	noDDD.DDDReference = ""
	badDate := mediation()
	badDate.ResponseExpectedBy = "02/04/2026"
	noID := complaint()
	noID.ID = ""
	noReceipt := complaint()
	noReceipt.ReceivedAt = time.Time{}
	noImplicit := complaint()
	noImplicit.Deadlines = noImplicit.Deadlines[:2]
	noMediator := caf
	noMediator.MediatorContact = ""

	for name, tc := range map[string]struct {
		kind Kind
		c    domain.Case
		caf  CafContact
	}{
		"answer without answer":        {KindComplaintAnswer, noAnswer, caf},
		"answer to a mediation":        {KindComplaintAnswer, mediation(), caf},
		"acknowledgment, no deadline":  {KindAcknowledgment, noDeadline, caf},
		"decision without outcome":     {KindMediationDecision, noDecision, caf},
		"decision without explanation": {KindMediationDecision, noExplanation, caf},
		"decision on a complaint":      {KindMediationDecision, complaint(), caf},
		"reorientation without target": {KindReorientation, noReorient, caf},
		"ddd reply without reference":  {KindDDDReply, noDDD, caf},
		"ddd reply with a bad date":    {KindDDDReply, badDate, caf},
		"no file reference":            {KindAcknowledgment, noID, caf},
		"acknowledgment, no receipt":   {KindAcknowledgment, noReceipt, caf},
		"acknowledgment, no rejection": {KindAcknowledgment, noImplicit, caf},
		"admissibility of a referral":  {KindAdmissibility, referral(), caf},
		"admissibility of a complaint": {KindAdmissibility, complaint(), caf},
		"no mediator contact":          {KindComplaintAnswer, complaint(), noMediator},
		"no Caf name":                  {KindComplaintAnswer, complaint(), CafContact{MediatorContact: "x"}},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := Compose(tc.kind, tc.c, tc.caf, now)
			require.Error(t, err)
			assert.ErrorIs(t, err, ErrMissingData)
		})
	}
	_, err := Compose("postcard", complaint(), caf, now)
	assert.Error(t, err)
}

func TestRouterFollowsTheClaimant(t *testing.T) {
	email, letter, sms := EmailSender{}, LetterSender{}, SMSSender{}
	r := Router{Email: email, Letter: letter, SMS: sms}
	to := RecipientOf(complaint())
	assert.Equal(t, email, r.Main(to), "an address: email")
	assert.Equal(t, sms, r.Complement(to), "a phone number: the SMS notice as well")
	to.Preference = domain.PreferLetter
	assert.Equal(t, letter, r.Main(to), "asked for letters")
	assert.Equal(t, email, Router{Email: email}.Main(to), "no mail room: email even so")
	to.Email, to.Phone = "", ""
	assert.Equal(t, letter, r.Main(to), "no address: a letter")
	assert.Nil(t, r.Complement(to), "no phone: no SMS")
	assert.Nil(t, Router{Email: email}.Main(to), "no channel reaches them")
	outbox := &OutboxSender{Dir: t.TempDir()}
	assert.Equal(t, outbox, Router{Outbox: outbox, Email: email}.Main(to), "the embedded default writes everything to the outbox")
}

// pdfText is the text of a PDF read back with an independent parser, its
// words separated by single spaces.
func pdfText(t *testing.T, raw []byte) string {
	t.Helper()
	require.True(t, bytes.HasPrefix(raw, []byte("%PDF-")), "not a PDF")
	r, err := pdf.NewReader(bytes.NewReader(raw), int64(len(raw)))
	require.NoError(t, err)
	var words []string
	for i := 1; i <= r.NumPage(); i++ {
		rows, err := r.Page(i).GetTextByRow()
		require.NoError(t, err)
		for _, row := range rows {
			for _, w := range row.Content {
				words = append(words, w.S)
			}
		}
	}
	return strings.Join(strings.Fields(strings.Join(words, " ")), " ")
}

func TestLetterHoldsAccentsEuroReferenceAndRecourse(t *testing.T) {
	c := complaint()
	m, err := Compose(KindComplaintAnswer, c, caf, now)
	require.NoError(t, err)
	var buf bytes.Buffer
	require.NoError(t, LetterRenderer{}.Render(&buf, m, RecipientOf(c)))
	text := pdfText(t, buf.Bytes())
	assert.Contains(t, text, "é")
	assert.Contains(t, text, "€")
	assert.Contains(t, text, "1 620 €")
	assert.Contains(t, text, "Caf de l'Ardèche")
	assert.Contains(t, text, "Hélène Durand")
	assert.Contains(t, text, c.ID)
	assert.Contains(t, text, "Le 12 mars 2026")
	assert.Contains(t, text, "Vous pouvez aussi demander une médiation : c'est gratuit et sans condition de délai.")
	assert.Contains(t, text, "Écrivez au médiateur de la Caf de l'Ardèche : "+caf.MediatorContact)
	assert.Contains(t, text, "la Caf, par un recours administratif préalable")
}

func TestLetterInStandardFontEmbedsNothing(t *testing.T) {
	c := complaint()
	c.Answer = "Votre dossier a été revu : l’indu de 1\u202f620,00\u00a0€ est « annulé » ; nous œuvrons pour vous."
	m, err := Compose(KindComplaintAnswer, c, caf, now)
	require.NoError(t, err)
	var buf bytes.Buffer
	require.NoError(t, LetterRenderer{}.Render(&buf, m, RecipientOf(c)))
	raw := buf.Bytes()
	assert.Contains(t, string(raw), "/BaseFont /Helvetica")
	assert.NotContains(t, string(raw), "FontFile", "a French letter embeds no font")
	assert.Less(t, len(raw), 16<<10)
	text := pdfText(t, raw)
	for _, want := range []string{"l’indu de 1 620,00 €", "« annulé »", "œuvrons", "Hélène Durand", "Caf de l'Ardèche"} {
		assert.Contains(t, text, want)
	}
}

func TestLetterEmbedsAFontForNamesBeyondWindows1252(t *testing.T) {
	c := complaint()
	c.Claimant.Name = "Łucja Ștefănescu"
	m, err := Compose(KindComplaintAnswer, c, caf, now)
	require.NoError(t, err)
	var buf bytes.Buffer
	require.NoError(t, LetterRenderer{}.Render(&buf, m, RecipientOf(c)))
	raw := buf.Bytes()
	assert.Contains(t, string(raw), "FontFile2", "the DejaVu subset is embedded")
	assert.NotContains(t, string(raw), "/BaseFont /Helvetica")
	text := shownUTF16(t, raw)
	assert.Contains(t, text, "Łucja Ștefănescu")
	assert.Contains(t, text, "Trop-perçu d'APL de 1 620 € non compris")
	assert.Contains(t, text, "le tribunal administratif")
}

// shownUTF16 is the text a letter in an embedded font shows: its strings'
// two-byte codes read through the font's identity ToUnicode map (the
// independent parser reads that map's one range as the PDF specification
// reads a range, by its last byte only).
func shownUTF16(t *testing.T, raw []byte) string {
	t.Helper()
	r, err := pdf.NewReader(bytes.NewReader(raw), int64(len(raw)))
	require.NoError(t, err)
	var out strings.Builder
	for i := 1; i <= r.NumPage(); i++ {
		pdf.Interpret(r.Page(i).V.Key("Contents"), func(stk *pdf.Stack, op string) {
			n := stk.Len()
			args := make([]pdf.Value, n)
			for j := n - 1; j >= 0; j-- {
				args[j] = stk.Pop()
			}
			if op == "Tj" && n == 1 {
				b := []byte(args[0].RawString())
				units := make([]uint16, 0, len(b)/2)
				for j := 0; j+1 < len(b); j += 2 {
					units = append(units, uint16(b[j])<<8|uint16(b[j+1]))
				}
				out.WriteString(string(utf16.Decode(units)) + " ")
			}
		})
	}
	return out.String()
}

func TestLongLetterRunsOnSeveralPages(t *testing.T) {
	c := complaint()
	c.Answer = strings.Repeat("Nous avons revu vos ressources déclarées, mois par mois, et le calcul de l'aide. ", 120)
	m, err := Compose(KindComplaintAnswer, c, caf, now)
	require.NoError(t, err)
	var buf bytes.Buffer
	require.NoError(t, LetterRenderer{}.Render(&buf, m, RecipientOf(c)))
	r, err := pdf.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	require.NoError(t, err)
	assert.Greater(t, r.NumPage(), 1)
	assert.Contains(t, pdfText(t, buf.Bytes()), caf.MediatorContact)
}

func TestEmailReachesARealSMTPServer(t *testing.T) {
	sink := smtptest.Start(t, 1)
	host, port := sink.Host, sink.Port
	c := complaint()
	m, err := Compose(KindAcknowledgment, c, caf, now)
	require.NoError(t, err)
	s := EmailSender{Config: EmailConfig{Host: host, Port: port, TLS: TLSNone,
		From: "reclamations@caf07.example.fr", Timeout: 5 * time.Second}}
	ctx := context.Background()

	// The first attempt meets a temporary refusal: failed, not bounced.
	out, err := s.Send(ctx, m, RecipientOf(c))
	require.Error(t, err)
	assert.Equal(t, StatusFailed, out.Status)

	out, err = s.Send(ctx, m, RecipientOf(c))
	require.NoError(t, err)
	assert.Equal(t, StatusSent, out.Status)
	assert.Equal(t, ChannelEmail, out.Channel)

	require.Len(t, sink.Received(), 1, "the acknowledgment arrives once")
	got := sink.Received()[0]
	assert.Equal(t, "reclamations@caf07.example.fr", got.From)
	assert.Equal(t, []string{"helene@example.fr"}, got.To)

	e, err := smtptest.Parse(got.Data)
	require.NoError(t, err)
	assert.Equal(t, m.Subject, e.Subject)
	assert.Equal(t, "Nous avons bien reçu votre réclamation — dossier "+c.ID, e.Subject)
	assert.Equal(t, "<R-071-2026-000123.acknowledgment@recours.invalid>", e.Header.Get("Message-Id"))
	assert.Equal(t, out.Reference, e.Header.Get("Message-Id"))
	assert.Contains(t, e.Header.Get("Content-Type"), "text/plain")
	assert.Contains(t, e.Body, c.ID)
	assert.Contains(t, e.Body, "26 mars 2026")
	assert.Contains(t, e.Body, caf.MediatorContact)
	assert.Equal(t, strings.TrimSpace(m.Body), strings.TrimSpace(strings.ReplaceAll(e.Body, "\r\n", "\n")))
}

func TestEmailRejectsARecipientWithoutAddress(t *testing.T) {
	m, err := Compose(KindAcknowledgment, complaint(), caf, now)
	require.NoError(t, err)
	out, err := EmailSender{Config: EmailConfig{Host: "127.0.0.1", Port: 1, TLS: TLSNone, From: "a@b.fr"}}.
		Send(context.Background(), m, Recipient{Name: "X"})
	require.Error(t, err)
	assert.Equal(t, StatusBounced, out.Status)
}

func TestSMSPostsJSONWithTheBearerKey(t *testing.T) {
	var (
		mu   sync.Mutex
		auth string
		got  smsRequest
		ct   string
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		auth, ct = r.Header.Get("Authorization"), r.Header.Get("Content-Type")
		if r.Method != http.MethodPost || json.NewDecoder(r.Body).Decode(&got) != nil {
			http.Error(w, "bad", http.StatusBadRequest)
			return
		}
		_, _ = io.WriteString(w, `{"id":"sms-1"}`)
	}))
	defer srv.Close()
	c := complaint()
	m, err := Compose(KindAcknowledgment, c, caf, now)
	require.NoError(t, err)
	s := SMSSender{Provider: HTTPSMSProvider{Endpoint: srv.URL + "/sms", Key: "k-secret"}}
	out, err := s.Send(context.Background(), m, RecipientOf(c))
	require.NoError(t, err)
	assert.Equal(t, StatusSent, out.Status)
	assert.Equal(t, `{"id":"sms-1"}`, out.Reference)
	mu.Lock()
	defer mu.Unlock()
	assert.Equal(t, "Bearer k-secret", auth)
	assert.Equal(t, "application/json", ct)
	assert.Equal(t, "+33612345678", got.To)
	assert.Equal(t, m.Short, got.Text)
	assert.Contains(t, got.Text, c.ID)
	assert.Contains(t, got.Text, "26 mars 2026")
}

func TestSMSNon2xxIsAnError(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "quota exceeded", http.StatusTooManyRequests)
	}))
	defer srv.Close()
	c := complaint()
	m, err := Compose(KindAcknowledgment, c, caf, now)
	require.NoError(t, err)
	out, err := SMSSender{Provider: HTTPSMSProvider{Endpoint: srv.URL, Key: "k"}}.Send(context.Background(), m, RecipientOf(c))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "429")
	assert.Equal(t, StatusFailed, out.Status)

	c.Claimant.Phone = ""
	_, err = SMSSender{Provider: HTTPSMSProvider{Endpoint: srv.URL}}.Send(context.Background(), m, RecipientOf(c))
	assert.Error(t, err)
}

func TestOutboxWritesEachMessageOnce(t *testing.T) {
	dir := t.TempDir()
	s := OutboxSender{Dir: dir, From: "reclamations@caf07.example.fr"}
	ctx := context.Background()
	ack, err := Compose(KindAcknowledgment, complaint(), caf, now)
	require.NoError(t, err)
	answer, err := Compose(KindComplaintAnswer, complaint(), caf, now)
	require.NoError(t, err)

	out, err := s.Send(ctx, ack, RecipientOf(complaint()))
	require.NoError(t, err)
	assert.Equal(t, StatusSent, out.Status)
	assert.False(t, out.AlreadySent)
	eml, pdfPath := s.Paths(ack)
	assert.Equal(t, filepath.Join(dir, "R-071-2026-000123-acknowledgment-v2.eml"), eml)
	assert.Equal(t, filepath.Join(dir, "R-071-2026-000123-acknowledgment-v2.pdf"), pdfPath)
	first, err := os.ReadFile(eml)
	require.NoError(t, err)
	info, err := os.Stat(pdfPath)
	require.NoError(t, err)

	// The same message again, even composed later: nothing new is written.
	again, err := Compose(KindAcknowledgment, complaint(), caf, now.Add(time.Hour))
	require.NoError(t, err)
	out, err = s.Send(ctx, again, RecipientOf(complaint()))
	require.NoError(t, err)
	assert.True(t, out.AlreadySent)
	second, err := os.ReadFile(eml)
	require.NoError(t, err)
	assert.Equal(t, first, second)
	info2, err := os.Stat(pdfPath)
	require.NoError(t, err)
	assert.Equal(t, info.ModTime(), info2.ModTime())

	// A claimant without email still gets an .eml (the text) and a letter.
	noMail := mediation()
	med, err := Compose(KindReorientation, noMail, caf, now)
	require.NoError(t, err)
	_, err = s.Send(ctx, answer, RecipientOf(complaint()))
	require.NoError(t, err)
	_, err = s.Send(ctx, med, RecipientOf(noMail))
	require.NoError(t, err)

	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	assert.ElementsMatch(t, []string{
		"R-071-2026-000123-acknowledgment-v2.eml", "R-071-2026-000123-acknowledgment-v2.pdf",
		"R-071-2026-000123-complaint_answer-v2.eml", "R-071-2026-000123-complaint_answer-v2.pdf",
		"M-071-2026-000045-reorientation-v2.eml", "M-071-2026-000045-reorientation-v2.pdf",
	}, names, "no temporary file is left, no message is duplicated")

	e, err := smtptest.Parse(first)
	require.NoError(t, err)
	assert.Equal(t, ack.Subject, e.Subject)
	raw, err := os.ReadFile(pdfPath)
	require.NoError(t, err)
	assert.Contains(t, pdfText(t, raw), "R-071-2026-000123")
}

func TestOutboxConcurrentSendsWriteOnce(t *testing.T) {
	dir := t.TempDir()
	s := OutboxSender{Dir: dir}
	m, err := Compose(KindAcknowledgment, complaint(), caf, now)
	require.NoError(t, err)
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Go(func() {
			_, err := s.Send(context.Background(), m, RecipientOf(complaint()))
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Len(t, entries, 2)
}

// BenchmarkLetter renders an answer's PDF letter: the outbox writes one
// for every message of the embedded default (0.14 ms and 71 kB a letter
// in Helvetica on the project's machine; 13 ms and 5.7 MB when every letter
// embedded its fonts).
func BenchmarkLetter(b *testing.B) {
	c := complaint()
	m, err := Compose(KindComplaintAnswer, c, caf, now)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		var buf bytes.Buffer
		if err := (LetterRenderer{}).Render(&buf, m, RecipientOf(c)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkOutboxSend writes a message's .eml and .pdf to the outbox, as
// the embedded default does for every message: the folder's file system
// calls are most of it.
func BenchmarkOutboxSend(b *testing.B) {
	c := complaint()
	s := OutboxSender{Dir: b.TempDir()}
	i := 0
	for b.Loop() {
		i++
		m, err := Compose(KindAcknowledgment, c, caf, now)
		if err != nil {
			b.Fatal(err)
		}
		m.CaseID = fmt.Sprintf("R-071-2026-%06d", i)
		if _, err := s.Send(context.Background(), m, RecipientOf(c)); err != nil {
			b.Fatal(err)
		}
	}
}
