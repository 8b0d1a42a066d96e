package domain

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Names built to break a mail header, a log line or a page, each refused
// where it would do harm and nowhere else.
func TestTextFault(t *testing.T) {
	for _, tc := range []struct {
		s, tag string
		bad    bool
	}{
		{"Lucie Garnier", "name", false},
		{"Éloïse D'Arcy-N'Diaye", "name", false},
		{"محمد بن علي", "name", false}, // right-to-left script, no override
		{"Lucie\r\nBcc: tous@example.fr", "name", true},
		{"Lucie\x00Garnier", "name", true},
		{`Lucie "Lulu" Garnier`, "name", true},
		{`Lucie \ Garnier`, "name", true},
		{"Lucie <lucie@example.fr>", "name", true},
		{"Lucie \u202eReinrag", "name", true},
		{"Lucie \u2066Garnier\u2069", "", true},
		{"ligne\u2028deux", "", true},
		{"Objet\nsur deux lignes", "", true},
		{"Objet\tavec tabulation", "", true},
		{"Première ligne\r\nSeconde\tligne", "lines", false},
		{"texte\x1b[31m rouge", "lines", true},
		{"texte \u0085 NEL", "lines", true},
		{`une "citation" \ permise`, "lines", false},
	} {
		got := TextFault(tc.s, tc.tag)
		assert.Equal(t, tc.bad, got != "", "%q (%s): %q", tc.s, tc.tag, got)
	}
}

// CheckText names each field at fault by its JSON path, and only those.
func TestCheckText_NamesTheFieldsOfEveryInput(t *testing.T) {
	now := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	n := NewComplaint{Caf: "071", Claimant: Claimant{Number: "1234567", Name: "Lucie\r\nGarnier",
		Address: "1 rue de la Paix\n75002 Paris", Representative: &Representative{Name: `A "B"`, Address: "x\u202ey"}},
		Channel: "email", Benefit: Benefits[0], Reason: Reasons[0], Subject: "Objet\u2067", Description: "Ligne 1\nLigne 2"}
	err := n.Validate(now)
	require.Error(t, err)
	fields := map[string]bool{}
	for _, fe := range err.(*Error).Fields {
		fields[fe.Field] = true
	}
	assert.Equal(t, map[string]bool{"claimant.name": true, "claimant.representative.name": true,
		"claimant.representative.address": true, "subject": true}, fields)

	n.Claimant.Name, n.Claimant.Representative, n.Subject = "Lucie Garnier", nil, "Objet"
	assert.NoError(t, n.Validate(now), "a description and an address of several lines are fine")

	err = ValidateArgs(KindComplaint, ActionAnswer, ActionArgs{Answer: "Madame,\nvotre demande est acceptée.\x07"}, now)
	require.Error(t, err)
	assert.Equal(t, "answer", err.(*Error).Fields[0].Field)

	var p Problems
	CheckText(&p, "", OverpaymentArgs{Note: "ok\n", CallResult: "reached\x00"})
	assert.Equal(t, Problems{{Field: "result", Message: "caractère de contrôle non permis"}}, p)

	// A correction takes the text rules of the field it writes.
	p = nil
	validateCorrection(&p, KindComplaint, ActionArgs{Field: "claimant.name", Value: `Lucie "L" Garnier`})
	assert.Equal(t, "value", p[0].Field)
	p = nil
	validateCorrection(&p, KindComplaint, ActionArgs{Field: "subject", Value: "sur\ndeux lignes"})
	assert.Equal(t, "value", p[0].Field)
	p = nil
	validateCorrection(&p, KindComplaint, ActionArgs{Field: "claimant.address", Value: "1 rue de la Paix\n75002 Paris"})
	assert.Empty(t, p)
}
