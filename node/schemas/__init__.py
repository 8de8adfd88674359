"""The node's schemas, one per input: the JSON API (node.api) and the officials' pages
(node.web) load every input through the same one, so the same bad input gets the same field
messages on both; the answers' schemas document the API (OpenAPI at /api/v1/openapi.json).

base          fields, validators and messages every schema uses
facts         household facts (RULES §4): the member questions, the engine as a field
applications  residents' submissions and what they see of them
auth          officials' sign-in
review        the officials' review: the list's filters, every action's body
files         what the officials' API answers: the list, an application's file, the worklist
admin         the province admin's forms
public        health, units
"""
