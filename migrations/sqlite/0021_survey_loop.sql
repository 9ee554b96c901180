-- Closing the loop (DESIGN §2, feedback): when a complaint opened by a survey answer is
-- resolved, one short follow-up survey goes to the same contact, and its answer records
-- whether the customer recovered.
ALTER TABLE complaints ADD COLUMN recovered BOOLEAN;
ALTER TABLE complaints ADD COLUMN follow_up_response_id BIGINT REFERENCES survey_responses (id);
-- One follow-up survey for the firm (created on first use, its words editable by staff),
-- and one follow-up link per complaint however often it is resolved.
CREATE UNIQUE INDEX surveys_one_follow_up ON surveys (purpose) WHERE purpose = 'follow_up';
CREATE UNIQUE INDEX survey_invitations_one_per_complaint ON survey_invitations (complaint_id)
    WHERE complaint_id IS NOT NULL;
