package httpx

import (
	"github.com/gin-gonic/gin"

	"recours/internal/domain"
	"recours/internal/store"
)

// ctxCaller keeps the authenticated user of a request, set by the API's
// bearer or session check or by the pages' session check.
const ctxCaller = "recours.caller"

// SetCaller records u as the request's authenticated user.
func SetCaller(c *gin.Context, u store.User) { c.Set(ctxCaller, u) }

// Caller is the request's authenticated user (SetCaller ran before).
func Caller(c *gin.Context) store.User { return c.MustGet(ctxCaller).(store.User) }

// Principal is the request's caller as the service knows it.
func Principal(c *gin.Context) domain.Principal {
	u := Caller(c)
	return domain.Principal{Login: u.Login, Partner: u.Partner, Address: c.ClientIP(), TokenBy: u.TokenBy}
}
