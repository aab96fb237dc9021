# Greenhouse's example hire turned into a second candidate whose offer carries the
# "Job Title" and "Employment Type" custom fields the GoCo recipe reads.
.payload.application.id = 46194063
| .payload.application.candidate.id = 35897444
| .payload.application.candidate.first_name = "Maria"
| .payload.application.candidate.last_name = "Garcia"
| .payload.application.candidate.email_addresses = [{"value": "maria.garcia@example.com", "type": "personal"}]
| .payload.application.candidate.phone_numbers = [{"value": "646-555-0134", "type": "mobile"}]
| .payload.application.candidate.attachments[0].url = $url
| .payload.application.offer.custom_fields.job_title = {"name": "Job Title", "type": "short_text", "value": "Software Engineer"}
| .payload.application.offer.custom_fields.employment_type = {"name": "Employment Type", "type": "single_select", "value": "Full-time"}
