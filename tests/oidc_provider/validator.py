"""The claims the test provider gives: e-mail (verified unless the user's first name says
"unverified") and `amr`, the methods the user "signed in with", from their last name
(comma-separated, e.g. "pwd,mfa")."""

from oauth2_provider.oauth2_validators import OAuth2Validator


class Validator(OAuth2Validator):
    oidc_claim_scope = {
        **OAuth2Validator.oidc_claim_scope,
        "email_verified": "email",
        "amr": "openid",
    }

    def get_additional_claims(self, request):
        user = request.user
        return {
            "email": user.email,
            "email_verified": user.first_name != "unverified",
            "given_name": "Sso",
            "family_name": "Person",
            "amr": [method for method in user.last_name.split(",") if method],
        }
