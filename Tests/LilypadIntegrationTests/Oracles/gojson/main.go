// Test oracle: Go's own encoding/json on structs declared like Lilypad v2.23's pkg/data.
//
// Reads lines "<Type>\t<json>" on stdin. For each, decodes the JSON strictly (unknown fields are
// an error) into the Go struct, re-encodes it with json.Marshal, and prints "<json>\t<id>", where
// id is Lilypad's CIDv0 over the Go JSON with the id field blanked (as data.CalculateCID).
// Any error prints "ERROR\t<message>" for that line.
package main

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"math/big"
	"os"
	"strings"
)

type MachineSpec struct {
	GPU  int       `json:"gpu"`
	GPUs []GPUSpec `json:"gpus"`
	CPU  int       `json:"cpu"`
	RAM  int       `json:"ram"`
	Disk int       `json:"disk"`
}

type GPUSpec struct {
	Name   string `json:"name"`
	Vendor string `json:"vendor"`
	VRAM   int    `json:"vram"`
}

type InputFiles struct {
	Required []string `json:"required"`
	Optional []string `json:"optional"`
}

type ModuleConfig struct {
	Name string `json:"name"`
	Repo string `json:"repo"`
	Hash string `json:"hash"`
	Path string `json:"path"`
}

type Result struct {
	ID               string `json:"id"`
	DealID           string `json:"deal_id"`
	DataID           string `json:"data_id"`
	Error            string `json:"error"`
	InstructionCount uint64 `json:"instruction_count"`
}

// Lilypad appends results_id (a copy of data_id) after the declared fields.
func (r Result) MarshalJSON() ([]byte, error) {
	type plain Result
	return json.Marshal(struct {
		plain
		ResultsID string `json:"results_id"`
	}{plain(r), r.DataID})
}

func (r *Result) UnmarshalJSON(data []byte) error {
	type plain Result
	var aux struct {
		plain
		ResultsID *string `json:"results_id"`
	}
	decoder := json.NewDecoder(bytes.NewReader(data))
	decoder.DisallowUnknownFields()
	if err := decoder.Decode(&aux); err != nil {
		return err
	}
	*r = Result(aux.plain)
	if aux.ResultsID != nil {
		r.DataID = *aux.ResultsID
	}
	return nil
}

type PricingMode string

type ServiceConfig struct {
	Solver   string   `json:"solver"`
	Mediator []string `json:"mediator"`
	APIHost  string   `json:"api_host"`
}

type TargetConfig struct {
	Address string `json:"address"`
}

type DealPricing struct {
	InstructionPrice          uint64 `json:"instruction_price"`
	PaymentCollateral         uint64 `json:"payment_collateral"`
	ResultsCollateralMultiple uint64 `json:"results_collateral_multiple"`
	MediationFee              uint64 `json:"mediation_fee"`
}

type JobOffer struct {
	ID                      string            `json:"id"`
	CreatedAt               int               `json:"created_at"`
	Nonce                   string            `json:"nonce"`
	JobCreator              string            `json:"job_creator"`
	Module                  ModuleConfig      `json:"module"`
	Spec                    MachineSpec       `json:"spec"`
	Inputs                  map[string]string `json:"inputs"`
	InputFiles              InputFiles        `json:"inputFiles"`
	ExecutionTimeoutSeconds uint64            `json:"executionTimeoutSeconds"`
	Mode                    PricingMode       `json:"mode"`
	Pricing                 DealPricing       `json:"pricing"`
	Services                ServiceConfig     `json:"trusted_parties"`
	Target                  TargetConfig      `json:"target"`
}

type JobOfferContainer struct {
	ID         string   `json:"id"`
	DealID     string   `json:"deal_id"`
	JobCreator string   `json:"job_creator"`
	State      uint8    `json:"state"`
	JobOffer   JobOffer `json:"job_offer"`
}

type ResourceOffer struct {
	ID               string                 `json:"id"`
	CreatedAt        int                    `json:"created_at"`
	ResourceProvider string                 `json:"resource_provider"`
	Index            int                    `json:"index"`
	Spec             MachineSpec            `json:"spec"`
	Modules          []string               `json:"modules"`
	Mode             PricingMode            `json:"mode"`
	DefaultPricing   DealPricing            `json:"default_pricing"`
	ModulePricing    map[string]DealPricing `json:"module_pricing"`
	Services         ServiceConfig          `json:"trusted_parties"`
}

type ResourceOfferContainer struct {
	ID               string        `json:"id"`
	DealID           string        `json:"deal_id"`
	ResourceProvider string        `json:"resource_provider"`
	State            uint8         `json:"state"`
	ResourceOffer    ResourceOffer `json:"resource_offer"`
}

type DealMembers struct {
	Solver           string   `json:"solver"`
	JobCreator       string   `json:"job_creator"`
	ResourceProvider string   `json:"resource_provider"`
	Mediators        []string `json:"mediators"`
}

type Deal struct {
	ID            string        `json:"id"`
	Members       DealMembers   `json:"members"`
	Pricing       DealPricing   `json:"pricing"`
	JobOffer      JobOffer      `json:"job_offer"`
	ResourceOffer ResourceOffer `json:"resource_offer"`
}

type DealTransactionsJobCreator struct {
	Agree                string `json:"agree"`
	AcceptResult         string `json:"accept_result"`
	CheckResult          string `json:"check_result"`
	TimeoutAgree         string `json:"timeout_agree"`
	TimeoutSubmitResult  string `json:"timeout_submit_result"`
	TimeoutMediateResult string `json:"timeout_mediate_result"`
}

type DealTransactionsResourceProvider struct {
	Agree                string `json:"agree"`
	AddResult            string `json:"add_result"`
	TimeoutAgree         string `json:"timeout_agree"`
	TimeoutJudgeResult   string `json:"timeout_judge_result"`
	TimeoutMediateResult string `json:"timeout_mediate_result"`
}

type DealTransactionsMediator struct {
	MediationAcceptResult string `json:"mediation_accept_result"`
	MediationRejectResult string `json:"mediation_reject_result"`
}

type DealTransactions struct {
	ResourceProvider DealTransactionsResourceProvider `json:"resource_provider"`
	JobCreator       DealTransactionsJobCreator       `json:"job_creator"`
	Mediator         DealTransactionsMediator         `json:"mediator"`
}

type DealContainer struct {
	ID               string           `json:"id"`
	CreatedAt        int              `json:"created_at"`
	UploadAt         int              `json:"upload_at"`
	DownloadAt       int              `json:"download_at"`
	JobCreator       string           `json:"job_creator"`
	ResourceProvider string           `json:"resource_provider"`
	JobOffer         string           `json:"job_offer"`
	ResourceOffer    string           `json:"resource_offer"`
	State            uint8            `json:"state"`
	Deal             Deal             `json:"deal"`
	Transactions     DealTransactions `json:"transactions"`
	Mediator         string           `json:"mediator"`
}

type MatchDecision struct {
	JobOffer      string `json:"job_offer"`
	ResourceOffer string `json:"resource_offer"`
	Deal          string `json:"deal"`
	Result        bool   `json:"result"`
}

const base58Alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"

func base58(data []byte) string {
	number := new(big.Int).SetBytes(data)
	radix, mod := big.NewInt(58), new(big.Int)
	var out []byte
	for number.Sign() > 0 {
		number.DivMod(number, radix, mod)
		out = append(out, base58Alphabet[mod.Int64()])
	}
	for _, b := range data {
		if b != 0 {
			break
		}
		out = append(out, '1')
	}
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return string(out)
}

// cidOf is merkledag.NodeWithData(data).Cid(): a PBNode with only Data, CIDv0.
func cidOf(value interface{}) (string, error) {
	data, err := json.Marshal(value)
	if err != nil {
		return "", err
	}
	block := append([]byte{0x0a}, uvarint(uint64(len(data)))...)
	block = append(block, data...)
	digest := sha256.Sum256(block)
	return base58(append([]byte{0x12, 0x20}, digest[:]...)), nil
}

func uvarint(value uint64) []byte {
	var out []byte
	for value >= 0x80 {
		out = append(out, byte(value)|0x80)
		value >>= 7
	}
	return append(out, byte(value))
}

func handle(kind, text string) (string, error) {
	var target interface{}
	var id func() (string, error)
	switch kind {
	case "ModuleConfig":
		v := &ModuleConfig{}
		target, id = v, func() (string, error) { return cidOf(*v) }
	case "MachineSpec":
		target = &MachineSpec{}
	case "JobOffer":
		v := &JobOffer{}
		target, id = v, func() (string, error) { c := *v; c.ID = ""; return cidOf(c) }
	case "JobOfferContainer":
		target = &JobOfferContainer{}
	case "ResourceOffer":
		v := &ResourceOffer{}
		target, id = v, func() (string, error) { c := *v; c.ID = ""; return cidOf(c) }
	case "ResourceOfferContainer":
		target = &ResourceOfferContainer{}
	case "Deal":
		v := &Deal{}
		target, id = v, func() (string, error) { c := *v; c.ID = ""; return cidOf(c) }
	case "DealContainer":
		target = &DealContainer{}
	case "Result":
		target = &Result{}
	case "MatchDecision":
		target = &MatchDecision{}
	default:
		return "", fmt.Errorf("unknown type %q", kind)
	}
	decoder := json.NewDecoder(strings.NewReader(text))
	decoder.DisallowUnknownFields()
	if err := decoder.Decode(target); err != nil {
		return "", err
	}
	encoded, err := json.Marshal(target)
	if err != nil {
		return "", err
	}
	identifier := ""
	if id != nil {
		if identifier, err = id(); err != nil {
			return "", err
		}
	}
	return string(encoded) + "\t" + identifier, nil
}

func main() {
	scanner := bufio.NewScanner(os.Stdin)
	scanner.Buffer(make([]byte, 1<<20), 64<<20)
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	for scanner.Scan() {
		kind, text, found := strings.Cut(scanner.Text(), "\t")
		if !found {
			fmt.Fprintf(out, "ERROR\tmissing tab\n")
			continue
		}
		line, err := handle(kind, text)
		if err != nil {
			fmt.Fprintf(out, "ERROR\t%s\n", strings.ReplaceAll(err.Error(), "\n", " "))
			continue
		}
		fmt.Fprintln(out, line)
	}
}
