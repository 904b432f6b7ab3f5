-- The name of the uploaded file as the client gave it (shown in reports).
ALTER TABLE interviews ADD COLUMN file_name TEXT;
