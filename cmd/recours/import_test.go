package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const importHeader = "reference,kind,caf,channel,benefit,reason,origin,received_at,answered_at,closed_at,outcome,paused_days\n"

func TestImport_ReportsInFrenchAndFailsOnBadRows(t *testing.T) {
	dir, st := seededData(t)
	// The store holds no live file: its files are the imported ones.
	imported := func() int64 {
		counts, err := st.CountCases(context.Background())
		require.NoError(t, err)
		var n int64
		for _, c := range counts {
			n += c.N
		}
		return n
	}
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(body), 0o600))
		return p
	}

	bad := write("bad.csv", importHeader+
		"K-1,complaint,071,phone,housing_aid,documents,,2025-01-06,2025-01-08,2025-01-09,,\n"+
		"K-2,complaint,071,phone,rent,documents,,2025-01-06,2025-01-08,,,\n"+
		"K-3,complaint,071,phone,rsa,documents,,2025-01-32,,,,\n")
	out, err := run(t, "import", "--data", dir, "--caf", "071", bad)
	require.Error(t, err, "exit status 1")
	assert.Contains(t, err.Error(), "2 ligne(s) invalide(s) sur 3 : rien n'a été importé")
	assert.Contains(t, out, "Lignes lues :                  3")
	assert.Contains(t, out, "Dossiers importés :            0")
	assert.Contains(t, out, "  ligne 3 : benefit : « rent » inconnue")
	assert.Contains(t, out, "  ligne 4 : received_at : « 2025-01-32 » n'est pas une date AAAA-MM-JJ")
	assert.EqualValues(t, 0, imported())

	out, err = run(t, "import", "--data", dir, "--caf", "071", "--skip-invalid", bad)
	require.NoError(t, err)
	assert.Contains(t, out, "Dossiers importés :            1")
	assert.Contains(t, out, "Lignes invalides ignorées :    2")
	assert.EqualValues(t, 1, imported())

	out, err = run(t, "import", "--data", dir, "--caf", "071", "--skip-invalid", bad)
	require.NoError(t, err)
	assert.Contains(t, out, "Dossiers importés :            0")
	assert.Contains(t, out, "Déjà présents (inchangés) :    1")
	assert.EqualValues(t, 1, imported())

	missing := write("missing.csv", strings.Replace(importHeader, ",outcome", "", 1))
	out, err = run(t, "import", "--data", dir, "--caf", "071", missing)
	require.Error(t, err)
	assert.Contains(t, out, "ligne 1 : colonne manquante : outcome")

	_, err = run(t, "import", "--data", dir, bad)
	assert.ErrorContains(t, err, "caf")
	_, err = run(t, "import", "--data", dir, "--caf", "071", filepath.Join(dir, "none.csv"))
	assert.Error(t, err)
}

// TestImport_MalformedRowIsReportedByItsLine: a quote out of place in a
// row's first field is reported by its line, not a stack trace.
func TestImport_MalformedRowIsReportedByItsLine(t *testing.T) {
	dir, _ := seededData(t)
	p := filepath.Join(dir, "quoted.csv")
	require.NoError(t, os.WriteFile(p, []byte(importHeader+
		"K-1,complaint,071,phone,housing_aid,documents,,2025-01-06,2025-01-08,2025-01-09,,\n"+
		`Jean "Le" Dupont,complaint,071,phone,rsa,documents,,2025-01-06,2025-01-08,,,`+"\n"), 0o600))
	out, err := run(t, "import", "--data", dir, "--caf", "071", p)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "1 ligne(s) invalide(s) sur 2 : rien n'a été importé")
	assert.Contains(t, out, "  ligne 3 : guillemet mal placé dans un champ non entre guillemets")
}
