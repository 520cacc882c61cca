module github.com/safeguarding-partnerships/escalation/tools/walkthrough

go 1.23.0
