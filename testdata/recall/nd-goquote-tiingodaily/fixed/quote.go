// Recall case nd-goquote-tiingodaily
// Source: github.com/markcheno/go-quote commit 30c12112528644651d9ee5f1fd681fd5176a0872 (quote.go)
// Link: https://github.com/markcheno/go-quote/commit/30c12112528644651d9ee5f1fd681fd5176a0872
// Bug: tiingoDaily (and NewQuoteFromBittrex) build a bare &http.Client{} with no Timeout and send a context-less http.NewRequest, so an unresponsive quote API hangs the download forever.
// Fix: the clients are created as &http.Client{Timeout: ClientTimeout} with a new 10s ClientTimeout constant.
// Rule: nodeadline
package quote

import (
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/url"
	"os"
	"time"
)

// Log - standard logger, disabled by default
var Log = log.New(os.Stderr, "quote: ", log.Ldate|log.Ltime)

// Quote - stucture for historical price data
type Quote struct {
	Symbol string
	Date   []time.Time
	Open   []float64
	High   []float64
	Low    []float64
	Close  []float64
	Volume []float64
}

// Period - for quote history
type Period string

// ClientTimeout - connect/read timeout for client requests
const ClientTimeout = 10 * time.Second

// NewQuote - new empty Quote struct
func NewQuote(symbol string, bars int) Quote {
	return Quote{
		Symbol: symbol,
		Date:   make([]time.Time, bars),
		Open:   make([]float64, bars),
		High:   make([]float64, bars),
		Low:    make([]float64, bars),
		Close:  make([]float64, bars),
		Volume: make([]float64, bars),
	}
}

// ParseDateString - parse a yyyy-mm-dd date
func ParseDateString(dt string) time.Time {
	t, _ := time.Parse("2006-01-02", dt)
	return t
}

func tiingoDaily(symbol string, from, to time.Time, token string) (Quote, error) {

	type tquote struct {
		AdjClose float64 `json:"adjClose"`
		AdjHigh  float64 `json:"adjHigh"`
		AdjLow   float64 `json:"adjLow"`
		AdjOpen  float64 `json:"adjOpen"`
		Date     string  `json:"date"`
		Volume   int64   `json:"volume"`
	}

	var tiingo []tquote

	url := fmt.Sprintf(
		"https://api.tiingo.com/tiingo/daily/%s/prices?startDate=%s&endDate=%s",
		symbol,
		url.QueryEscape(from.Format("2006-1-2")),
		url.QueryEscape(to.Format("2006-1-2")))

	client := &http.Client{Timeout: ClientTimeout}
	req, _ := http.NewRequest("GET", url, nil)
	req.Header.Set("Authorization", fmt.Sprintf("Token %s", token))
	resp, err := client.Do(req)

	if err != nil {
		Log.Printf("symbol '%s' not found\n", symbol)
		return NewQuote("", 0), err
	}
	defer resp.Body.Close()

	contents, _ := io.ReadAll(resp.Body)

	err = json.Unmarshal(contents, &tiingo)
	if err != nil {
		Log.Printf("tiingo error: %v\n", err)
	}

	numrows := len(tiingo)
	quote := NewQuote(symbol, numrows)

	for bar := 0; bar < numrows; bar++ {
		quote.Date[bar], _ = time.Parse("2006-01-02", tiingo[bar].Date[0:10])
		quote.Open[bar] = tiingo[bar].AdjOpen
		quote.High[bar] = tiingo[bar].AdjHigh
		quote.Low[bar] = tiingo[bar].AdjLow
		quote.Close[bar] = tiingo[bar].AdjClose
		quote.Volume[bar] = float64(tiingo[bar].Volume)
	}

	return quote, nil
}

// NewQuoteFromTiingo - Tiingo daily historical prices for a symbol
func NewQuoteFromTiingo(symbol, startDate, endDate string, token string) (Quote, error) {

	from := ParseDateString(startDate)
	to := ParseDateString(endDate)

	return tiingoDaily(symbol, from, to, token)
}

// NewQuoteFromBittrex - Bittrex historical prices for a symbol
func NewQuoteFromBittrex(symbol string, period Period) (Quote, error) {

	url := fmt.Sprintf(
		"https://bittrex.com/Api/v2.0/pub/market/GetTicks?marketName=%s&tickInterval=%s",
		symbol,
		string(period))

	client := &http.Client{Timeout: ClientTimeout}
	req, _ := http.NewRequest("GET", url, nil)
	resp, err := client.Do(req)

	if err != nil {
		Log.Printf("bittrex error: %v\n", err)
		return NewQuote("", 0), err
	}
	defer resp.Body.Close()

	contents, _ := io.ReadAll(resp.Body)
	_ = contents
	return NewQuote(symbol, 0), nil
}
