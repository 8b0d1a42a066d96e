package web

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"recours/internal/authz"
	"recours/internal/cases"
	"recours/internal/domain"
	"recours/internal/reports"
)

// uiFiguresData is the figures page: the period's form, the summary of
// reports.Compute, and its charts (each with its table).
type uiFiguresData struct {
	Cafs          []string
	Caf, From, To string
	Errors        map[string]string
	Sum           *reports.Summary
	Charts        []uiChart
	// Period and PreviousPeriod read « du 01/01/2026 au 22/11/2026 ».
	Period, PreviousPeriod string
}

// uiChart is a horizontal bar chart drawn as inline SVG on the server.
type uiChart struct {
	ID, Title, Unit string
	Bars            []uiBar
	Height          int
}

type uiBar struct {
	Label, Text string
	Value       float64
	Y, Width    int
}

// uiFigures: managers' and auditors' key figures for a period and a Caf.
func (s *Server) uiFigures(c *gin.Context) {
	if !s.uiAllow(c, "report", authz.ActRead) {
		return
	}
	ui := uiOf(c)
	q := c.Request.URL.Query()
	if q.Get("from") == "" && q.Get("to") == "" {
		today := reports.DateOf(s.now())
		v := url.Values{"caf": {ui.Caf}, "from": {reports.Date{Year: today.Year, Month: 1, Day: 1}.String()}, "to": {today.String()}}
		c.Redirect(http.StatusFound, "/ui/chiffres?"+v.Encode())
		return
	}
	d := uiFiguresData{Cafs: s.Authz.Cafs(ui.User.Login, "report", authz.ActRead),
		Caf: q.Get("caf"), From: q.Get("from"), To: q.Get("to"), Errors: map[string]string{}}
	slices.Sort(d.Cafs)
	var err error
	d.Sum, err = s.Cases.Summary(c.Request.Context(), principal(c), cases.SummaryQuery{Caf: d.Caf, From: d.From, To: d.To})
	var de *domain.Error
	switch {
	case err == nil:
	case errors.As(err, &de) && de.Code == domain.EINVALID:
		for _, f := range de.Fields {
			d.Errors[f.Field] = uiIntakeMessage(f)
		}
		s.uiRender(c, http.StatusUnprocessableEntity, "figures", "Chiffres", d)
		return
	default:
		s.uiFail(c, err)
		return
	}
	sum := d.Sum
	d.Period = "du " + uiDateText(sum.From) + " au " + uiDateText(sum.To)
	d.PreviousPeriod = "du " + uiDateText(sum.Previous.From) + " au " + uiDateText(sum.Previous.To)
	d.Charts = []uiChart{
		uiCountChart("canal", "Réclamations reçues par canal", sum.Complaints.ByChannel, uiChannelLabels),
		uiCountChart("motif", "Réclamations reçues par motif", sum.Complaints.ByReason, uiReasonLabels),
		uiCountChart("prestation", "Réclamations reçues par prestation", sum.Complaints.ByBenefit, uiBenefitLabels),
		uiPctChart("origine", "Médiations par origine", sum.Mediations.OriginPct, uiOriginLabels),
		uiPctChart("issue", "Issue des médiations décidées", sum.Mediations.OutcomePct, uiOutcomeLabels),
	}
	s.uiRender(c, http.StatusOK, "figures", "Chiffres", d)
}

const (
	uiBarRow = 28
	// uiBarWidth is the bars' area, right of the labels: the longest bar
	// leaves room for its value («100,0 %») inside the 600-unit view box.
	uiBarWidth = 290
)

func uiCountChart(id, title string, m map[string]int64, labels map[string]string) uiChart {
	ch := uiChart{ID: id, Title: title, Unit: "nombre"}
	for k, v := range m {
		ch.Bars = append(ch.Bars, uiBar{Label: uiLabel(labels, k), Value: float64(v), Text: strconv.FormatInt(v, 10)})
	}
	return uiLayout(ch)
}

func uiPctChart(id, title string, m map[string]*float64, labels map[string]string) uiChart {
	ch := uiChart{ID: id, Title: title, Unit: "part"}
	for k, v := range m {
		if v == nil {
			continue
		}
		ch.Bars = append(ch.Bars, uiBar{Label: uiLabel(labels, k), Value: *v,
			Text: strings.Replace(strconv.FormatFloat(*v, 'f', 1, 64), ".", ",", 1) + " %"})
	}
	return uiLayout(ch)
}

// uiLayout sorts the bars, largest first, and places them.
func uiLayout(ch uiChart) uiChart {
	slices.SortFunc(ch.Bars, func(a, b uiBar) int {
		if a.Value != b.Value {
			if a.Value > b.Value {
				return -1
			}
			return 1
		}
		return strings.Compare(a.Label, b.Label)
	})
	top := 0.0
	for _, b := range ch.Bars {
		top = max(top, b.Value)
	}
	for i := range ch.Bars {
		ch.Bars[i].Y = i * uiBarRow
		if top > 0 {
			ch.Bars[i].Width = int(ch.Bars[i].Value / top * uiBarWidth)
		}
	}
	ch.Height = max(len(ch.Bars)*uiBarRow, uiBarRow)
	return ch
}

// uiDateText writes a YYYY-MM-DD day as the French read it, 22/11/2026.
func uiDateText(day string) string {
	t, err := time.Parse(time.DateOnly, day)
	if err != nil {
		return day
	}
	return t.Format("02/01/2006")
}
