-- Synthetic example dump: every value is made up.
CREATE TABLE patients (patient_id text, name text, dob date, ssn text, phone text, notes text);
INSERT INTO patients VALUES ('P-0001', 'Jane Doe', '1971-04-02', '536-22-8726', '617-555-0142', 'follow up 7/22; BP ok'),
  ('P-0002', 'Ahmed Khan', '1985-11-30', '219-44-5817', '(508) 555-0177', 'no known allergies');
