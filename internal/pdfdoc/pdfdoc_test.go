package pdfdoc

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestStandardHoldsFrenchTypography(t *testing.T) {
	assert.True(t, Standard("Œuvre « déjà » : 1\u202f500,00\u00a0€ — l’indu", "−9,2\u202f%"))
	assert.False(t, Standard("Ștefănescu"))
	assert.False(t, Standard("≤ 10 jours"))
}

func TestATextNotAnnouncedFailsTheDocument(t *testing.T) {
	d := New(Info{Title: "Essai"}, "Madame Durand")
	require.False(t, d.Embedded())
	d.AddPage()
	d.Font(false, 10)
	d.Text(50, 50, 200, 12, "Madame Ștefănescu", "L")
	var buf bytes.Buffer
	err := d.Output(&buf)
	require.Error(t, err, "no name printed as something else")
	assert.Contains(t, err.Error(), "Ș")
}

func TestLinesBreakAtSpacesNotAtNoBreakSpaces(t *testing.T) {
	amount := "1\u202f500,00\u00a0€"
	text := "Le montant de " + amount + " est dû, et " + amount + " encore, soit deux fois " + amount + "."
	for _, texts := range [][]string{{"standard"}, {"Ș"}} {
		d := New(Info{}, texts...)
		d.AddPage()
		d.Font(false, 10)
		for w := 70.0; w <= 200; w += 3 {
			lines := d.Lines(text, w)
			require.Greater(t, len(lines), 1)
			assert.Equal(t, 3, strings.Count(strings.Join(lines, "|"), amount), "an amount is never cut (embedded %v, width %v): %q", d.Embedded(), w, lines)
			for _, l := range lines {
				assert.LessOrEqual(t, d.width(l), w)
			}
		}
	}
}
