# A third hire whose name GoCo already has (the up script seeds that employee first):
# hiresync does not create it again, and tells the recruiter in Greenhouse why.
.payload.application.id = 46194064
| .payload.application.candidate.id = 35897445
| .payload.application.candidate.first_name = "Alex"
| .payload.application.candidate.last_name = "Morgan"
| .payload.application.candidate.email_addresses = [{"value": "alex.morgan@example.com", "type": "personal"}]
| .payload.application.candidate.attachments = []
