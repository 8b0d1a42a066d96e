package reports

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"strconv"

	"recours/internal/pdfdoc"
)

// A4 in points, and the printable area.
const (
	pdfPageW    = 595.28
	pdfPageH    = 841.89
	pdfMarginX  = 50.0
	pdfMarginT  = 48.0
	pdfBottom   = pdfPageH - 62 // the last y a block may reach; the footer is below
	pdfContentW = pdfPageW - 2*pdfMarginX
)

// The alignments of a cell's text.
const (
	pdfLeft   = "L"
	pdfRight  = "R"
	pdfCenter = "C"
)

type pdfRGB struct{ r, g, b uint8 }

var (
	pdfText      = pdfRGB{33, 37, 41}
	pdfMuted     = pdfRGB{98, 105, 112}
	pdfAccent    = pdfRGB{0, 82, 147}
	pdfBarColor  = pdfRGB{74, 125, 181}
	pdfRuleColor = pdfRGB{205, 211, 218}
	pdfTint      = pdfRGB{240, 244, 249}
)

// AnnualPDF writes the printable annual report of s, the figures of year
// for cafName, in French: the key figures as the Cafs publish them, the
// complaint, mediation and Défenseur des droits figures, the national
// commitments, then bar charts, each followed by its data table, and the
// definitions the figures follow.
func AnnualPDF(w io.Writer, s *Summary, cafName string, year int) error {
	if s == nil {
		return fmt.Errorf("reports: no summary to print")
	}
	d := newPDFDoc(cafName, year)
	d.cover(s)
	d.keyFigures(s)
	d.complaints(s)
	d.mediations(s)
	d.referrals(s)
	d.overpayments(s)
	d.commitments(s)
	d.perCaf(s)
	d.charts(s)
	d.definitions(s)
	if err := d.pdf.Output(w); err != nil {
		return fmt.Errorf("reports: annual pdf: %w", err)
	}
	return nil
}

// pdfDoc draws top to bottom, keeping y (the document keeps its first
// error, and Output returns it).
type pdfDoc struct {
	pdf     *pdfdoc.Doc
	y       float64
	year    int
	cafName string
}

func newPDFDoc(cafName string, year int) *pdfDoc {
	d := &pdfDoc{year: year, cafName: cafName}
	// The report's own wording is French; the Caf's name is the one text
	// it prints from outside.
	d.pdf = pdfdoc.New(pdfdoc.Info{
		Title:   fmt.Sprintf("Rapport d'activité du pôle allocataires — %s — %d", cafName, year),
		Subject: "Réclamations, médiation et saisines du Défenseur des droits",
	}, cafName)
	d.pdf.SetFooterFunc(d.footer)
	d.newPage()
	return d
}

func (d *pdfDoc) newPage() {
	d.pdf.AddPage()
	d.y = pdfMarginT
}

// ensure starts a new page unless h more points fit on this one.
func (d *pdfDoc) ensure(h float64) {
	if d.y+h > pdfBottom {
		d.newPage()
	}
}

func (d *pdfDoc) font(bold bool, size float64) { d.pdf.Font(bold, size) }

func (d *pdfDoc) color(c pdfRGB) { d.pdf.SetTextColor(int(c.r), int(c.g), int(c.b)) }

// text writes s in the box (x, y, w, h), vertically centred, aligned
// pdfLeft, pdfRight or pdfCenter.
func (d *pdfDoc) text(x, y, w, h float64, s string, align string) {
	d.pdf.Text(x, y, w, h, s, align)
}

// lines splits s to fit w in the current font.
func (d *pdfDoc) lines(s string, w float64) []string { return d.pdf.Lines(s, w) }

// paragraph writes s wrapped to w from (x, d.y) and moves d.y below it.
func (d *pdfDoc) paragraph(x, w float64, s string, bold bool, size float64, c pdfRGB) {
	d.font(bold, size)
	d.color(c)
	lh := size * 1.4
	for _, l := range d.lines(s, w) {
		d.ensure(lh)
		d.text(x, d.y, w, lh, l, pdfLeft)
		d.y += lh
	}
}

func (d *pdfDoc) fill(c pdfRGB, x, y, w, h float64) {
	d.pdf.SetFillColor(int(c.r), int(c.g), int(c.b))
	d.pdf.Rect(x, y, w, h, "F")
}

func (d *pdfDoc) rule(y float64, c pdfRGB, width float64) {
	d.pdf.SetDrawColor(int(c.r), int(c.g), int(c.b))
	d.pdf.SetLineWidth(width)
	d.pdf.Line(pdfMarginX, y, pdfMarginX+pdfContentW, y)
}

func (d *pdfDoc) footer() {
	d.font(false, 7.5)
	d.color(pdfMuted)
	y := pdfPageH - 40
	d.rule(y-4, pdfRuleColor, 0.5)
	d.text(pdfMarginX, y, pdfContentW-60, 12, fmt.Sprintf("Rapport d'activité %d — %s — établi par Recours", d.year, d.cafName), pdfLeft)
	d.text(pdfMarginX+pdfContentW-60, y, 60, 12, "Page "+strconv.Itoa(d.pdf.PageNo()), pdfRight)
}

// heading opens a section, keeping at least need points of it with the
// title.
func (d *pdfDoc) heading(title string, need float64) {
	d.ensure(34 + need)
	d.y += 12
	d.font(true, 13)
	d.color(pdfAccent)
	d.text(pdfMarginX, d.y, pdfContentW, 18, title, pdfLeft)
	d.y += 20
	d.rule(d.y, pdfAccent, 0.8)
	d.y += 6
}

func (d *pdfDoc) cover(s *Summary) {
	d.font(false, 9)
	d.color(pdfMuted)
	d.text(pdfMarginX, d.y, pdfContentW, 12, "PÔLE ALLOCATAIRES — RÉCLAMATIONS ET MÉDIATION", pdfLeft)
	d.y += 18
	d.paragraph(pdfMarginX, pdfContentW, "Rapport d'activité du pôle allocataires", true, 20, pdfText)
	d.y += 2
	d.paragraph(pdfMarginX, pdfContentW, d.cafName+" — "+strconv.Itoa(d.year), true, 14, pdfAccent)
	d.y += 4
	period := fmt.Sprintf("Du 1er janvier au 31 décembre %d, comparé à %s.", d.year, pdfPrevious(s.Previous, d.year-1))
	if len(s.Cafs) > 1 {
		period += " Caf couvertes : " + pdfJoin(s.Cafs) + "."
	}
	d.paragraph(pdfMarginX, pdfContentW, period, false, 9.5, pdfMuted)
	d.y += 6
	d.rule(d.y, pdfRuleColor, 0.6)
	d.y += 4
}

// keyFigures is the figures page of the seed report: a big number, what it
// counts, and how it moved.
func (d *pdfDoc) keyFigures(s *Summary) {
	d.heading(fmt.Sprintf("Les chiffres de l'année %d", d.year), 180)
	prev := d.year - 1
	c, m, r := s.Complaints, s.Mediations, s.Referrals
	tiles := []struct{ big, label, sub string }{
		{pdfInt(c.Handled), "Réclamations traitées", pdfChangeSentence(c.HandledChangePct, prev)},
		{pdfPct(c.Within10DaysPct), "Réclamations répondues en 10 jours ou moins",
			"sans déduire les suspensions : " + pdfPct(c.Within10DaysRawPct)},
		{pdfInt(m.Count), "Dossiers de médiation", pdfChangeSentence(m.CountChangePct, prev)},
		{pdfDays(c.MedianDays), "Délai médian de réponse", "90e centile : " + pdfDays(c.P90Days)},
		{pdfPct(m.OutcomePct["maintained"]), "Décisions maintenues par la Caf",
			"sur " + pdfInt(m.Decided) + pdfPlural(m.Decided, " dossier de médiation décidé", " dossiers de médiation décidés")},
		{pdfInt(r.Count), "Saisines du Défenseur des droits",
			"traitées dans le délai demandé : " + pdfPct(r.AnsweredByExpectedDatePct)},
	}
	const gap, th = 10.0, 84.0
	tw := (pdfContentW - 2*gap) / 3
	for i, t := range tiles {
		if i%3 == 0 && i > 0 {
			d.y += th + gap
		}
		x := pdfMarginX + float64(i%3)*(tw+gap)
		d.fill(pdfTint, x, d.y, tw, th)
		d.fill(pdfAccent, x, d.y, 3, th)
		d.font(true, 19)
		d.color(pdfAccent)
		d.text(x+12, d.y+8, tw-18, 24, t.big, pdfLeft)
		y := d.y + 36
		d.font(true, 8.5)
		d.color(pdfText)
		for _, l := range d.lines(t.label, tw-18) {
			d.text(x+12, y, tw-18, 11, l, pdfLeft)
			y += 11
		}
		d.font(false, 7.5)
		d.color(pdfMuted)
		for _, l := range d.lines(t.sub, tw-18) {
			d.text(x+12, y+1, tw-18, 10, l, pdfLeft)
			y += 10
		}
	}
	d.y += th + 6
}

// pdfRow is one line of a figures table: a label, its value, and whether it
// is a detail of the line above (indented, muted).
type pdfRow struct {
	label, value string
	detail       bool
}

func (d *pdfDoc) rows(rows []pdfRow) {
	const rh = 17.0
	for _, r := range rows {
		d.ensure(rh)
		x, size, c := pdfMarginX+4, 9.5, pdfText
		if r.detail {
			x, size, c = pdfMarginX+18, 8.5, pdfMuted
		}
		d.font(false, size)
		d.color(c)
		d.text(x, d.y, pdfContentW-130, rh, r.label, pdfLeft)
		d.font(!r.detail, size)
		d.text(pdfMarginX+pdfContentW-124, d.y, 120, rh, r.value, pdfRight)
		d.y += rh
		d.rule(d.y, pdfRuleColor, 0.4)
	}
}

func (d *pdfDoc) complaints(s *Summary) {
	c := s.Complaints
	end := fmt.Sprintf("au 31 décembre %d", d.year)
	d.heading("Réclamations", 60)
	d.rows([]pdfRow{
		{"Réclamations reçues", pdfInt(c.Received), false},
		{"Réclamations traitées (réponse apportée dans l'année)", pdfInt(c.Handled), false},
		{fmt.Sprintf("Évolution par rapport à %d", d.year-1), pdfChange(c.HandledChangePct), true},
		{"Répondues en 10 jours ou moins", pdfPct(c.Within10DaysPct), false},
		{"sans déduire les jours de suspension", pdfPct(c.Within10DaysRawPct), true},
		{"Répondues en 15 jours ou moins", pdfPct(c.Within15DaysPct), false},
		{"sans déduire les jours de suspension", pdfPct(c.Within15DaysRawPct), true},
		{"Délai médian de réponse", pdfDays(c.MedianDays), false},
		{"Délai du 90e centile (90 % des réponses en ce délai ou moins)", pdfDays(c.P90Days), false},
		{"Réclamations en cours " + end, pdfInt(c.OpenAtEnd), false},
		{"dont en retard", pdfInt(c.OverdueAtEnd), true},
		{"Rejets implicites (échéance atteinte sans réponse)", pdfInt(c.ImplicitRejections), false},
		{"Réclamations rouvertes après une réponse", pdfInt(c.Reopened), false},
		{"Accusés de réception envoyés en 5 jours ou moins", pdfPct(c.AcknowledgedIn5Pct), false},
	})
}

func (d *pdfDoc) mediations(s *Summary) {
	m := s.Mediations
	d.heading("Médiation", 60)
	rows := []pdfRow{
		{"Dossiers de médiation reçus", pdfInt(m.Count), false},
		{fmt.Sprintf("Évolution par rapport à %d", d.year-1), pdfChange(m.CountChangePct), true},
		{"Dossiers décidés", pdfInt(m.Decided), false},
	}
	for _, k := range []string{"maintained", "revised", "partly_revised"} {
		rows = append(rows, pdfRow{pdfLabel(pdfOutcomeLabels, k) + " par la Caf", pdfPct(m.OutcomePct[k]), true})
	}
	for _, k := range pdfSortedKeys(m.OutcomePct) {
		if _, known := pdfOutcomeLabels[k]; !known {
			rows = append(rows, pdfRow{pdfLabel(pdfOutcomeLabels, k), pdfPct(m.OutcomePct[k]), true})
		}
	}
	d.rows(rows)
}

func (d *pdfDoc) referrals(s *Summary) {
	r := s.Referrals
	d.heading("Saisines du Défenseur des droits", 60)
	d.rows([]pdfRow{
		{"Saisines reçues", pdfInt(r.Count), false},
		{fmt.Sprintf("Évolution par rapport à %d", d.year-1), pdfChange(r.CountChangePct), true},
		{"Traitées dans le délai demandé par le Défenseur des droits", pdfPct(r.AnsweredByExpectedDatePct), false},
	})
}

func (d *pdfDoc) overpayments(s *Summary) {
	o := s.Overpayments
	d.heading("Trop-perçus importants (explication détaillée et appel)", 60)
	d.rows([]pdfRow{
		{"Notifications de trop-perçu", pdfInt(o.Notices), false},
		{"dont d'un montant au moins égal au seuil", pdfInt(o.LargeNotices), true},
		{"Avec l'explication détaillée", pdfPct(o.ExplainedPct), false},
		{"Avec une tentative d'appel", pdfPct(o.CallAttemptedPct), false},
		{"dont allocataire joint", pdfPct(o.CallReachedPct), true},
		{"Suivies d'une réclamation ou d'une médiation dans les 60 jours", pdfPct(o.DisputedWithin60DaysPct), false},
		{"quand l'allocataire a été joint", pdfPct(o.DisputedWhenReachedPct), true},
		{"quand il ne l'a pas été", pdfPct(o.DisputedWhenNotReachedPct), true},
	})
}

func (d *pdfDoc) commitments(s *Summary) {
	d.heading("Engagements nationaux de service", 50)
	if len(s.Commitments) == 0 {
		d.paragraph(pdfMarginX+4, pdfContentW-8, "Aucun engagement mesuré sur la période.", false, 9, pdfMuted)
		return
	}
	cols := []pdfCol{{"Engagement", 0.52, pdfLeft}, {"Objectif", 0.16, pdfRight},
		{"Résultat", 0.16, pdfRight}, {"Respecté", 0.16, pdfRight}}
	var rows [][]string
	for _, c := range s.Commitments {
		name := c.Label
		if name == "" {
			name = pdfLabel(pdfCommitmentLabels, c.Name)
		}
		met := pdfNoData
		if c.Met != nil {
			met = map[bool]string{true: "Oui", false: "Non"}[*c.Met]
		}
		rows = append(rows, []string{name, pdfNum(c.Target) + pdfNNBSP + "%", pdfPct(c.Value), met})
	}
	d.table(cols, rows, 9)
}

func (d *pdfDoc) perCaf(s *Summary) {
	if len(s.PerCaf) < 2 {
		return
	}
	d.heading("Par Caf", 60)
	cols := []pdfCol{{"Caf", 0.16, pdfLeft}, {"Traitées", 0.16, pdfRight},
		{"En 10 jours", 0.17, pdfRight}, {"Délai médian", 0.17, pdfRight},
		{"Médiations", 0.17, pdfRight}, {"Saisines DDD", 0.17, pdfRight}}
	var rows [][]string
	for _, code := range pdfSortedKeys(s.PerCaf) {
		p := s.PerCaf[code]
		if p == nil {
			continue
		}
		rows = append(rows, []string{"Caf " + code, pdfInt(p.Complaints.Handled), pdfPct(p.Complaints.Within10DaysPct),
			pdfDays(p.Complaints.MedianDays), pdfInt(p.Mediations.Count), pdfInt(p.Referrals.Count)})
	}
	d.table(cols, rows, 9)
}

// pdfCol is a table column: its header, its share of the width, its alignment.
type pdfCol struct {
	head  string
	share float64
	align string
}

// table draws a header row on a tint and the rows under it.
func (d *pdfDoc) table(cols []pdfCol, rows [][]string, size float64) {
	rh := size * 1.75
	d.ensure(rh * float64(min(len(rows)+1, 4)))
	header := func() {
		d.fill(pdfTint, pdfMarginX, d.y, pdfContentW, rh)
		d.font(true, size-0.5)
		d.color(pdfMuted)
		x := pdfMarginX
		for _, c := range cols {
			w := c.share * pdfContentW
			d.text(x+4, d.y, w-8, rh, c.head, c.align)
			x += w
		}
		d.y += rh
	}
	header()
	for _, r := range rows {
		if d.y+rh > pdfBottom {
			d.newPage()
			header()
		}
		d.font(false, size)
		d.color(pdfText)
		x := pdfMarginX
		for i, c := range cols {
			w := c.share * pdfContentW
			if i < len(r) {
				d.text(x+4, d.y, w-8, rh, r[i], c.align)
			}
			x += w
		}
		d.y += rh
		d.rule(d.y, pdfRuleColor, 0.4)
	}
}

// pdfBar is one bar of a chart: its label, its length (nil: no bar), the
// value printed at its end, and the cells of its line in the data table.
type pdfBar struct {
	label string
	value *float64
	shown string
	cells []string
}

// chart draws horizontal bars scaled to the largest, then the data table.
func (d *pdfDoc) chart(title string, bars []pdfBar, cols []pdfCol) {
	const rh, bh, labelW = 15.0, 9.0, 165.0
	tableH := 9 * 1.75 * float64(len(bars)+1)
	d.ensure(24 + float64(max(len(bars), 1))*rh + 10 + tableH + 14)
	d.y += 8
	d.font(true, 11)
	d.color(pdfText)
	d.text(pdfMarginX, d.y, pdfContentW, 16, title, pdfLeft)
	d.y += 22
	if !slices.ContainsFunc(bars, func(b pdfBar) bool { return b.value != nil && *b.value > 0 }) {
		d.paragraph(pdfMarginX+4, pdfContentW-8, "Aucun dossier sur la période.", false, 9, pdfMuted)
		d.y += 8
		return
	}
	top := d.y
	maxV := 0.0
	for _, b := range bars {
		if b.value != nil && *b.value > maxV {
			maxV = *b.value
		}
	}
	x0, span := pdfMarginX+labelW+8, pdfContentW-labelW-8-60
	for _, b := range bars {
		d.font(false, 9)
		d.color(pdfText)
		d.text(pdfMarginX, d.y, labelW, rh, b.label, pdfRight)
		if b.value != nil && maxV > 0 && *b.value > 0 {
			w := *b.value / maxV * span
			d.fill(pdfBarColor, x0, d.y+(rh-bh)/2, w, bh)
			d.font(true, 8.5)
			d.text(x0+w+4, d.y, 60, rh, b.shown, pdfLeft)
		} else {
			d.font(true, 8.5)
			d.color(pdfMuted)
			d.text(x0+4, d.y, 60, rh, b.shown, pdfLeft)
		}
		d.y += rh
	}
	d.pdf.SetDrawColor(int(pdfMuted.r), int(pdfMuted.g), int(pdfMuted.b))
	d.pdf.SetLineWidth(0.6)
	d.pdf.Line(x0, top, x0, d.y)
	d.y += 8
	var rows [][]string
	for _, b := range bars {
		rows = append(rows, append([]string{b.label}, b.cells...))
	}
	d.table(cols, rows, 8.5)
	d.y += 10
}

func (d *pdfDoc) charts(s *Summary) {
	d.heading("Répartitions", 200)
	c, m := s.Complaints, s.Mediations
	d.chart("Réclamations reçues par canal", pdfCountBars(c.ByChannel, pdfChannelLabels),
		[]pdfCol{{"Canal", 0.5, pdfLeft}, {"Réclamations", 0.25, pdfRight}, {"Part", 0.25, pdfRight}})
	d.chart("Dossiers de médiation par origine", pdfPctBars(m.OriginPct, pdfOriginLabels),
		[]pdfCol{{"Origine", 0.6, pdfLeft}, {"Part des dossiers", 0.4, pdfRight}})
	d.chart("Dossiers de médiation par motif", pdfPctBars(m.ReasonPct, pdfReasonLabels),
		[]pdfCol{{"Motif", 0.6, pdfLeft}, {"Part des dossiers", 0.4, pdfRight}})
	d.chart("Dossiers de médiation par prestation", pdfPctBars(m.BenefitPct, pdfBenefitLabels),
		[]pdfCol{{"Prestation", 0.6, pdfLeft}, {"Part des dossiers", 0.4, pdfRight}})
}

func (d *pdfDoc) definitions(s *Summary) {
	d.heading("Définitions", 40)
	for _, p := range []string{
		"Une réclamation est traitée dans l'année quand sa réponse date de l'année. Son délai compte les jours calendaires de sa réception à sa réponse, moins les jours où son délai était suspendu (pièces attendues) ; elle est répondue en 10 jours ou moins quand ce délai ne dépasse pas 10 jours. Les parts « sans déduire les suspensions » comptent tous les jours.",
		"Un dossier de médiation compte dans l'année quand il a été reçu dans l'année. Les parts par origine, motif et prestation portent sur ces dossiers ; la part de chaque décision porte sur ceux qui sont décidés.",
		"Chaque évolution compare à " + pdfPrevious(s.Previous, d.year-1) + ", la période de même durée qui précède. Les pourcentages sont arrondis au dixième ; « — » signale une part sans objet (aucun dossier).",
	} {
		d.paragraph(pdfMarginX+4, pdfContentW-8, p, false, 8.5, pdfMuted)
		d.y += 4
	}
}

// pdfCountBars turns counts into bars with their share of the total, largest
// first.
func pdfCountBars(counts map[string]int64, labels map[string]string) []pdfBar {
	var total int64
	for _, n := range counts {
		total += n
	}
	var out []pdfBar
	for k, n := range counts {
		v := float64(n)
		var share *float64
		if total > 0 {
			p := pdfRound(float64(n) * 100 / float64(total))
			share = &p
		}
		out = append(out, pdfBar{label: pdfLabel(labels, k), value: &v, shown: pdfInt(n), cells: []string{pdfInt(n), pdfPct(share)}})
	}
	pdfSortBars(out)
	return out
}

// pdfPctBars turns shares into bars, largest first, those without a value last.
func pdfPctBars(pcts map[string]*float64, labels map[string]string) []pdfBar {
	var out []pdfBar
	for k, p := range pcts {
		out = append(out, pdfBar{label: pdfLabel(labels, k), value: p, shown: pdfPct(p), cells: []string{pdfPct(p)}})
	}
	pdfSortBars(out)
	return out
}

func pdfSortBars(bars []pdfBar) {
	slices.SortFunc(bars, func(a, b pdfBar) int {
		switch {
		case a.value == nil && b.value != nil:
			return 1
		case a.value != nil && b.value == nil:
			return -1
		case a.value != nil && *a.value != *b.value:
			return cmp.Compare(*b.value, *a.value)
		}
		return cmp.Compare(a.label, b.label)
	})
}

func pdfRound(v float64) float64 {
	if v < 0 {
		return -pdfRound(-v)
	}
	return float64(int64(v*10+0.5)) / 10
}

func pdfSortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// pdfPrevious names the period the changes compare with: the year before
// when it is exactly that year, else its dates (a leap year before makes
// the previous period of the same length start on 2 January).
func pdfPrevious(p Period, prevYear int) string {
	if p.From == "" || p.From == fmt.Sprintf("%d-01-01", prevYear) && p.To == fmt.Sprintf("%d-12-31", prevYear) {
		return strconv.Itoa(prevYear)
	}
	return "la période du " + pdfDate(p.From) + " au " + pdfDate(p.To)
}

// pdfDate writes a YYYY-MM-DD date as 02/01/2024.
func pdfDate(s string) string {
	if len(s) != 10 {
		return s
	}
	return s[8:10] + "/" + s[5:7] + "/" + s[0:4]
}

// pdfJoin joins words as French lists them: 071, 074 et 042.
func pdfJoin(words []string) string {
	switch len(words) {
	case 0:
		return ""
	case 1:
		return words[0]
	}
	out := ""
	for i, w := range words[:len(words)-1] {
		if i > 0 {
			out += ", "
		}
		out += w
	}
	return out + " et " + words[len(words)-1]
}
