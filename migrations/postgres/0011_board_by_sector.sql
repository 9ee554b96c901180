-- Boards filtered by sector (the filter project finance uses most: energy, transport,
-- water ...) counted and paged through `clients_board`, which leads with the stage, and so
-- visited all 20,000 live clients of the large demo set to find the 700 of one sector. Led
-- by the sector, the same columns let such a board count and walk only that sector's clients.
CREATE INDEX clients_board_sector ON clients (sector, lifecycle_stage, sort_name, id, owner_id, is_investor, is_borrower, country)
    WHERE archived_at IS NULL;
