// Recall case nd-smartnode-snapshot
// Source: github.com/rocket-pool/smartnode commit 36bf1ba84397c8c2b7597d77d703c6fe9f7f0ab1 (rocketpool/api/node/voting.go)
// Link: https://github.com/rocket-pool/smartnode/commit/36bf1ba84397c8c2b7597d77d703c6fe9f7f0ab1
// Bug: The Snapshot GraphQL queries use http.Get, i.e. http.DefaultClient with no timeout, so a stalled Snapshot API hangs the voting/collector code forever.
// Fix: A helper returns an http.Client with a 5 second Timeout and every query uses client.Get instead of http.Get.
// Rule: nodeadline
package node

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
)

// Address stands in for go-ethereum's common.Address.
type Address string

// SnapshotVotingPower stands in for api.SnapshotVotingPower.
type SnapshotVotingPower struct {
	Data struct {
		Vp struct {
			Vp float64 `json:"vp"`
		} `json:"vp"`
	} `json:"data"`
}

// SnapshotResponse stands in for api.SnapshotResponse.
type SnapshotResponse struct {
	Data struct {
		Proposals []struct {
			Id    string `json:"id"`
			Title string `json:"title"`
			State string `json:"state"`
		} `json:"proposals"`
	} `json:"data"`
}

func GetSnapshotVotingPower(apiDomain string, space string, nodeAddress Address) (*SnapshotVotingPower, error) {
	query := fmt.Sprintf(`query Vp{
		vp(
			space: "%s",
			voter: "%s",
		) {
			vp
		}
	}
	`, space, nodeAddress)
	url := fmt.Sprintf("https://%s/graphql?operationName=Vp&query=%s", apiDomain, url.PathEscape(query))
	resp, err := http.Get(url)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	// Check the response code
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("request failed with code %d", resp.StatusCode)
	}

	// Get response
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	var votingPower SnapshotVotingPower
	if err := json.Unmarshal(body, &votingPower); err != nil {
		return nil, fmt.Errorf("could not decode snapshot response: %w", err)
	}

	return &votingPower, nil
}

func GetSnapshotProposals(apiDomain string, space string, state string) (*SnapshotResponse, error) {
	stateFilter := ""
	if state != "" {
		stateFilter = fmt.Sprintf(`, state: "%s"`, state)
	}
	query := fmt.Sprintf(`query Proposals {
	proposals(where: {space: "%s"%s}, orderBy: "created", orderDirection: desc) {
	    id
	    title
	    state
	  }
    }`, space, stateFilter)

	url := fmt.Sprintf("https://%s/graphql?operationName=Proposals&query=%s", apiDomain, url.PathEscape(query))
	resp, err := http.Get(url)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	// Check the response code
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("request failed with code %d", resp.StatusCode)
	}

	// Get response
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	var snapshotResponse SnapshotResponse
	if err := json.Unmarshal(body, &snapshotResponse); err != nil {
		return nil, fmt.Errorf("Could not decode snapshot response: %w", err)
	}

	return &snapshotResponse, nil
}
