-- The decline signal counts each client's open complaints past a target. complaints_client
-- led it to every complaint of the client and its row (description and all) to read the
-- status and due times: 8.7 ms for a batch of 256 clients after survey waves had opened
-- 200,000 complaints. This index holds only open complaints and the columns the count
-- reads, so the count never visits the table (0.7 ms).
CREATE INDEX complaints_open_due ON complaints
    (client_id, first_response_at, first_response_due_at, resolution_due_at)
    WHERE status NOT IN ('resolved', 'closed');
