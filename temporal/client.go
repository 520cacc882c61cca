package temporal

import (
	"context"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

	"github.com/safeguarding-partnerships/escalation/engine"
)

// Client raises cases and fires events on them through Temporal, and gives
// back the engine's errors as the engine returns them (FromError).
type Client struct {
	c         client.Client
	taskQueue string
	eng       *engine.Engine
}

// NewClient returns a client that starts case workflows on the task queue
// the workers poll. eng, which may be nil, is the engine the workers run:
// with it, a refusal's reasons name the policy's own transitions.
func NewClient(c client.Client, taskQueue string, eng *engine.Engine) *Client {
	return &Client{c: c, taskQueue: taskQueue, eng: eng}
}

// startOptions start a case's workflow: its id is the case's, and a case id
// is never used again, unless raising it failed.
func startOptions(caseID, taskQueue string) client.StartWorkflowOptions {
	return client.StartWorkflowOptions{
		ID:                       caseID,
		TaskQueue:                taskQueue,
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE_FAILED_ONLY,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_FAIL,
	}
}

// Raise raises a case under the current version of the policy: it starts
// the case's workflow, whose id is r.CaseID, and answers with the case's head
// and first entry once the host's store has it. The time of the raise is the
// workflow's: leave r.At unset.
func (c *Client) Raise(ctx context.Context, policy string, r engine.Raise, o Options) (Applied, error) {
	start := c.c.NewWithStartWorkflowOperation(startOptions(r.CaseID, c.taskQueue), WorkflowName, Input{Policy: policy, Raise: &r, Options: o})
	h, err := c.c.UpdateWithStartWorkflow(ctx, client.UpdateWithStartWorkflowOptions{
		StartWorkflowOperation: start,
		UpdateOptions:          client.UpdateWorkflowOptions{WorkflowID: r.CaseID, UpdateName: UpdateRaised, WaitForStage: client.WorkflowUpdateStageCompleted},
	})
	if err != nil {
		return Applied{}, FromError(err, c.eng)
	}
	return c.result(ctx, h)
}

// Fire fires an event on a case and answers with the head and entry it led
// to, once the host's store has the entry; or with the engine's error when
// the engine refuses it, which leaves nothing in the workflow's history. The
// time of the event is the workflow's: leave ev.At unset. updateID, when not
// empty, makes a retried call apply the event once.
func (c *Client) Fire(ctx context.Context, caseID, updateID string, ev engine.Event) (Applied, error) {
	h, err := c.c.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID: caseID, UpdateID: updateID, UpdateName: UpdateFire, Args: []any{ev},
		WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	if err != nil {
		return Applied{}, FromError(err, c.eng)
	}
	return c.result(ctx, h)
}

func (c *Client) result(ctx context.Context, h client.WorkflowUpdateHandle) (Applied, error) {
	var a Applied
	if err := h.Get(ctx, &a); err != nil {
		return Applied{}, FromError(err, c.eng)
	}
	return a, nil
}

// Head returns a case's head.
func (c *Client) Head(ctx context.Context, caseID string) (engine.Head, error) {
	var h engine.Head
	return h, c.query(ctx, caseID, QueryHead, &h)
}

// Due lists what a case owes and where each duty stands at the time.
func (c *Client) Due(ctx context.Context, caseID string, at time.Time) ([]Duty, error) {
	var ds []Duty
	return ds, c.query(ctx, caseID, QueryDue, &ds, at)
}

// Available lists the events an actor, acting in a role, may fire on a case
// at the time, and why not.
func (c *Client) Available(ctx context.Context, caseID, actor, role string, at time.Time) ([]Action, error) {
	var as []Action
	return as, c.query(ctx, caseID, QueryAvailable, &as, actor, role, at)
}

func (c *Client) query(ctx context.Context, caseID, name string, out any, args ...any) error {
	v, err := c.c.QueryWorkflow(ctx, caseID, "", name, args...)
	if err != nil {
		return FromError(err, c.eng)
	}
	return v.Get(out)
}
