# The Terraform-era self-service command, kept for teams used to it:
#   make create-ecr APP=billing-api OWNER=team-billing REPO=acme/billing-api STACK=dev [RISK=high] [ID=...] [BRANCHES=main,release/*] [DRY_RUN=1]
# It runs `trusted-delivery add-app`, which checks the app as the pipeline does and keeps the
# stack file's comments and formatting.

STACK ?= dev

.PHONY: create-ecr
create-ecr:
	@test -n "$(APP)" || { echo "make create-ecr needs APP=<ECR repository name>" >&2; exit 2; }
	@npm run --silent trusted-delivery -- add-app "$(APP)" --stack "$(STACK)" \
		$(if $(OWNER),--owner "$(OWNER)") \
		$(if $(REPO),--github-repository "$(REPO)") \
		$(if $(RISK),--risk "$(RISK)") \
		$(if $(ID),--id "$(ID)") \
		$(if $(DESCRIPTION),--description "$(DESCRIPTION)") \
		$(if $(BRANCHES),--branches "$(BRANCHES)") \
		$(if $(TAGS),--tags "$(TAGS)") \
		$(if $(ENVIRONMENTS),--environments "$(ENVIRONMENTS)") \
		$(if $(DRY_RUN),--dry-run) \
		$(if $(FORCE),--force)
